DROP TABLE email_outbox;
DROP TABLE notifications;
DROP TABLE notice_attachments;
DROP TABLE notice_messages;
DROP TABLE notices;
