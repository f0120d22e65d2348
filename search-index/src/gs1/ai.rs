//! The table of GS1 Application Identifiers we know: how long each AI is, how long its
//! value is, and whether the value is digits only (GS1 General Specifications, 3.2).

/// How long an AI's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Length {
    /// Exactly this many characters; needs no separator after it.
    Fixed(usize),
    /// Up to this many characters, ended by a GS (FNC1) or the end of the data.
    Variable(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AiSpec {
    /// The AI's digits, `n` standing for any digit (the decimal-point position of
    /// measures, for example `310n`).
    pattern: &'static str,
    pub length: Length,
    pub numeric: bool,
}

impl AiSpec {
    pub fn ai_len(&self) -> usize {
        self.pattern.len()
    }

    fn matches(&self, text: &str) -> bool {
        let pattern = self.pattern.as_bytes();
        let text = text.as_bytes();
        text.len() >= pattern.len()
            && pattern
                .iter()
                .zip(text)
                .all(|(p, t)| t.is_ascii_digit() && (*p == b'n' || p == t))
    }
}

const fn fixed(pattern: &'static str, n: usize) -> AiSpec {
    AiSpec {
        pattern,
        length: Length::Fixed(n),
        numeric: true,
    }
}

const fn var_num(pattern: &'static str, n: usize) -> AiSpec {
    AiSpec {
        pattern,
        length: Length::Variable(n),
        numeric: true,
    }
}

const fn var(pattern: &'static str, n: usize) -> AiSpec {
    AiSpec {
        pattern,
        length: Length::Variable(n),
        numeric: false,
    }
}

/// The AIs. No AI is a prefix of another (the GS1 system guarantees it), so the first
/// match is the match.
const TABLE: &[AiSpec] = &[
    fixed("00", 18),
    fixed("01", 14),
    fixed("02", 14),
    fixed("03", 14),
    var("10", 20),
    fixed("11", 6),
    fixed("12", 6),
    fixed("13", 6),
    fixed("15", 6),
    fixed("16", 6),
    fixed("17", 6),
    fixed("20", 2),
    var("21", 20),
    var("22", 20),
    var("235", 28),
    var("240", 30),
    var("241", 30),
    var_num("242", 6),
    var("243", 20),
    var("250", 30),
    var("251", 30),
    var("253", 30),
    var("254", 20),
    var_num("255", 25),
    var_num("30", 8),
    fixed("31nn", 6),
    fixed("32nn", 6),
    fixed("33nn", 6),
    fixed("34nn", 6),
    fixed("35nn", 6),
    fixed("36nn", 6),
    var_num("37", 8),
    var_num("390n", 15),
    var_num("391n", 18),
    var_num("392n", 15),
    var_num("393n", 18),
    fixed("394n", 4),
    fixed("395n", 6),
    var("400", 30),
    var("401", 30),
    fixed("402", 17),
    var("403", 30),
    fixed("410", 13),
    fixed("411", 13),
    fixed("412", 13),
    fixed("413", 13),
    fixed("414", 13),
    fixed("415", 13),
    fixed("416", 13),
    fixed("417", 13),
    var("420", 20),
    var("421", 12),
    fixed("422", 3),
    var_num("423", 15),
    fixed("424", 3),
    var_num("425", 15),
    fixed("426", 3),
    var("427", 3),
    var("43nn", 70),
    fixed("7001", 13),
    var("7002", 30),
    fixed("7003", 10),
    var_num("7004", 4),
    var("7005", 12),
    fixed("7006", 6),
    var_num("7007", 12),
    var("7008", 3),
    var("7009", 10),
    var("7010", 2),
    var("7011", 10),
    var("702n", 20),
    var("703n", 30),
    fixed("7040", 4),
    var("71n", 20),
    var("72nn", 30),
    fixed("8001", 14),
    var("8002", 20),
    var("8003", 30),
    var("8004", 30),
    fixed("8005", 6),
    fixed("8006", 18),
    var_num("8007", 34),
    var_num("8008", 12),
    var("8009", 50),
    var("8010", 30),
    var_num("8011", 12),
    var("8012", 20),
    var("8013", 25),
    fixed("8017", 18),
    fixed("8018", 18),
    var_num("8019", 10),
    var("8020", 25),
    fixed("8026", 18),
    var("8030", 90),
    var_num("8110", 70),
    fixed("8111", 4),
    var("8112", 70),
    var("8200", 70),
    var("90", 30),
    var("91", 90),
    var("92", 90),
    var("93", 90),
    var("94", 90),
    var("95", 90),
    var("96", 90),
    var("97", 90),
    var("98", 90),
    var("99", 90),
];

/// The AI that `text` starts with, if any.
pub(crate) fn lookup_prefix(text: &str) -> Option<&'static AiSpec> {
    TABLE.iter().find(|spec| spec.matches(text))
}

/// The spec of exactly this AI (as written in a Digital Link path or query).
pub(crate) fn lookup_exact(ai: &str) -> Option<&'static AiSpec> {
    lookup_prefix(ai).filter(|spec| spec.ai_len() == ai.len())
}
