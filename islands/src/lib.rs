//! Leptos islands (coming with the islands issue).
