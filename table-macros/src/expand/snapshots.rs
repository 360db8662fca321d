//! What `#[table]` expands to, pretty-printed and reviewed as snapshots
//! (`table-macros/src/expand/snapshots/`). After a deliberate change to the
//! generated code, review with `cargo insta review` or rerun with
//! `INSTA_UPDATE=always` and read the diff.

use quote::quote;

fn expand(args: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> String {
    let tokens = super::table(args, item);
    let file: syn::File = syn::parse2(tokens).expect("the expansion parses as a file");
    prettyplease::unparse(&file)
}

#[test]
fn seed_users_table() {
    insta::assert_snapshot!(expand(
        quote!(name = "users"),
        quote! {
            #[derive(Debug, Clone, PartialEq)]
            pub struct User {
                #[column(primary_key)]
                pub id: Uuid,
                #[column(varchar(255), unique)]
                pub email: String,
                #[column(default_now)]
                pub created_at: Option<NaiveDateTime>,
            }
        }
    ));
}

#[test]
fn every_attribute() {
    insta::assert_snapshot!(expand(
        quote!(
            name = "memberships",
            schema = "billing",
            primary_key(org_id, user_id),
            unique(org_id, seat),
            insert = "MembershipDraft"
        ),
        quote! {
            pub(crate) struct Membership {
                /// The organisation.
                pub org_id: i32,
                pub user_id: Uuid,
                #[column(identity)]
                pub seat: i64,
                #[column(default_random, unique)]
                token: Uuid,
                #[column(name = "role_name", default = "member")]
                pub role: String,
                #[column(sql_type = "varchar(16)")]
                pub plan: Option<String>,
                #[column(default_now)]
                pub updated_at: Option<DateTime<Utc>>,
            }
        }
    ));
}

#[test]
fn errors_keep_the_struct_without_column_attributes() {
    insta::assert_snapshot!(expand(
        quote!(name = ""),
        quote! {
            pub struct User {
                #[column(primary_key, bogus)]
                pub id: i64,
            }
        }
    ));
}
