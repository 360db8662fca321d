use pgtable::prelude::*;

#[table(name = "organizations")]
pub struct Organization {
    #[column(primary_key)]
    pub id: i32,
}

// Two foreign keys whose derived names differ only past byte 63.
#[table(name = "organization_membership_invitations")]
pub struct Invitation {
    #[column(primary_key)]
    pub id: i32,
    #[column(references = Organization::ID)]
    pub inviting_organization_identifier_a: i32,
    #[column(references = Organization::ID)]
    pub inviting_organization_identifier_b: i32,
}

fn main() {}
