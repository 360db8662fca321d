use pgtable::prelude::*;

// `notification_preferences_email_digest_frequency_for_weekly_summaries_unique`
// and `…_index` are 76 and 75 bytes: PostgreSQL keeps the first 63 of each,
// which are the same.
#[table(name = "notification_preferences")]
pub struct NotificationPreference {
    #[column(primary_key)]
    pub id: i32,
    #[column(unique, index)]
    pub email_digest_frequency_for_weekly_summaries: String,
}

fn main() {}
