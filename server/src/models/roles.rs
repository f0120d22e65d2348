//! Organisation kinds, statuses and member roles, stored as text.

use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(OrgKind { Platform => "platform", Customs => "customs", RightHolder => "right_holder" });
text_enum!(OrgStatus {
    Pending => "pending",
    Verified => "verified",
    Rejected => "rejected",
    Suspended => "suspended",
});
text_enum!(Role {
    Admin => "admin",
    Officer => "officer",
    Trainer => "trainer",
    CustomsManager => "customs_manager",
    Owner => "owner",
    Editor => "editor",
    Responder => "responder",
});

impl OrgKind {
    pub fn label(self) -> &'static str {
        match self {
            OrgKind::Platform => "Platform operator",
            OrgKind::Customs => "Customs administration",
            OrgKind::RightHolder => "Right holder",
        }
    }

    /// The roles members of this kind of organisation may hold.
    pub fn roles(self) -> &'static [Role] {
        match self {
            OrgKind::Platform => &[Role::Admin],
            OrgKind::Customs => &[Role::Officer, Role::Trainer, Role::CustomsManager],
            OrgKind::RightHolder => &[Role::Owner, Role::Editor, Role::Responder],
        }
    }

    /// Roles a member manager may hand out by invitation or role change. Ownership of a
    /// right holder moves only by hand-over, so `owner` is not among them.
    pub fn assignable_roles(self) -> &'static [Role] {
        match self {
            OrgKind::Platform => &[Role::Admin],
            OrgKind::Customs => &[Role::Officer, Role::Trainer, Role::CustomsManager],
            OrgKind::RightHolder => &[Role::Editor, Role::Responder],
        }
    }
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Officer => "Officer",
            Role::Trainer => "Trainer",
            Role::CustomsManager => "Customs manager",
            Role::Owner => "Owner",
            Role::Editor => "Editor",
            Role::Responder => "Responder",
        }
    }

    /// Owners and customs managers manage their organisation's members.
    pub fn manages_members(self) -> bool {
        matches!(self, Role::Owner | Role::CustomsManager)
    }
}
