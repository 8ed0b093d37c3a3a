//! Where a user skill's pages are. A user skill has one identity: the key
//! of its record in the browser's store (`UserSkill::name`, the slug its
//! SKILL.md was saved under). Its frontmatter `name` is only what pages
//! show: `Report Writer` is stored as `report-writer`, and every link,
//! lookup, export and delete uses the key. Keys travel in query strings,
//! percent-encoded, so a key from an older version or another tool that
//! holds `&`, `#` or spaces still names its skill.

/// The page of the user skill stored under `key`.
pub fn view_url(base: &str, key: &str) -> String {
    format!("{base}my/skill/?name={}", query_value(key))
}

/// The editor opened on the user skill stored under `key`.
pub fn edit_url(base: &str, key: &str) -> String {
    format!("{base}my/edit/?skill={}", query_value(key))
}

/// "Customise": the editor, copying the site's skill `name` into the
/// user's skills first (or opening theirs, if they have one of that name).
pub fn customise_url(base: &str, name: &str) -> String {
    format!("{base}my/edit/?customise={}", query_value(name))
}

/// "Use in chat": the chat, with the skill `name` attached to the next message.
pub fn use_in_chat_url(base: &str, name: &str) -> String {
    format!("{base}chat/?skill={}", query_value(name))
}

/// `text` as a query-string value: everything but the unreserved
/// characters of RFC 3986 percent-encoded as UTF-8, as JavaScript's
/// `encodeURIComponent` does, so `URLSearchParams` gives back `text`.
pub fn query_value(text: &str) -> String {
    llmos_core::slug::percent_encode(text, b"-_.~")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_encoded_and_slugs_stay_readable() {
        assert_eq!(view_url("/", "report-writer"), "/my/skill/?name=report-writer");
        assert_eq!(edit_url("/llmos/", "a&b #1"), "/llmos/my/edit/?skill=a%26b%20%231");
        assert_eq!(query_value("x=y?z/é"), "x%3Dy%3Fz%2F%C3%A9");
        assert_eq!(customise_url("/llmos/", "pdf"), "/llmos/my/edit/?customise=pdf");
        assert_eq!(use_in_chat_url("/", "数据 x"), "/chat/?skill=%E6%95%B0%E6%8D%AE%20x");
    }
}
