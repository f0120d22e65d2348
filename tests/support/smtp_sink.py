"""A real SMTP server for the tests, on loopback.

Usage: python3 smtp_sink.py DIR [REFUSE_FIRST]

Listens on a free port of 127.0.0.1 and prints that port on the first line of standard
output. Each message received is written to DIR as NNNNNN.eml (the envelope recipients
in an X-Envelope-To header first), atomically, so a reader never sees half a message.
The first REFUSE_FIRST messages (default 0) are answered with a temporary failure, to
test that the sender retries. Built on the standard library's smtpd (Python 3.11).
"""

import os
import sys
import warnings

warnings.simplefilter("ignore", DeprecationWarning)
# Deprecated in 3.11, still present there.
import asyncore  # noqa: E402
import smtpd  # noqa: E402


class Sink(smtpd.SMTPServer):
    def __init__(self, folder, refuse_first):
        super().__init__(("127.0.0.1", 0), None, decode_data=False)
        self.folder = folder
        self.refuse_left = refuse_first
        self.count = 0

    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        if self.refuse_left > 0:
            self.refuse_left -= 1
            return "451 4.3.0 Try again later"
        self.count += 1
        name = os.path.join(self.folder, "%06d.eml" % self.count)
        with open(name + ".part", "wb") as out:
            out.write(("X-Envelope-To: %s\r\n" % ",".join(rcpttos)).encode())
            out.write(data)
        os.rename(name + ".part", name)
        return None


def main():
    folder = sys.argv[1]
    refuse_first = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    server = Sink(folder, refuse_first)
    print(server.socket.getsockname()[1], flush=True)
    asyncore.loop(timeout=0.2)


if __name__ == "__main__":
    main()
