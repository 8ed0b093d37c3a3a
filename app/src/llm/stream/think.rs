//! Reasoning written into the answer text: DeepSeek-R1, Qwen3, QwQ and
//! other reasoning models start their answer with `<think>…</think>` when
//! a local server passes their output through as it is. The block is split
//! off as reasoning while it streams, before its closing tag arrives, so
//! the page can fold it and the history never sends it back.

use super::StreamEvent;

const OPEN: &str = "<think>";
const CLOSE: &str = "</think>";

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing but whitespace yet: a `<think>` may still come.
    #[default]
    Start,
    Thinking,
    /// Just closed: the blank lines before the answer are dropped.
    AfterThinking,
    Answer,
}

/// Splits answer text into reasoning and answer as it streams.
#[derive(Debug, Default)]
pub(super) struct ThinkTags {
    state: State,
    /// Text held back until it is clear which side it belongs to.
    held: String,
}

impl ThinkTags {
    /// One delta of answer text, as reasoning and answer events.
    pub fn push(&mut self, text: &str, out: &mut Vec<StreamEvent>) {
        if self.state == State::Answer {
            return out.push(StreamEvent::TextDelta(text.to_string()));
        }
        self.held.push_str(text);
        loop {
            match self.state {
                State::Start => {
                    let start = self.held.len() - self.held.trim_start().len();
                    let rest = &self.held[start..];
                    if let Some(thought) = rest.strip_prefix(OPEN) {
                        self.held = thought.to_string();
                        self.state = State::Thinking;
                    } else if OPEN.starts_with(rest) {
                        return; // `<thi…`: wait for more.
                    } else {
                        self.state = State::Answer;
                        return emit(StreamEvent::TextDelta(std::mem::take(&mut self.held)), out);
                    }
                }
                State::Thinking => match self.held.find(CLOSE) {
                    Some(end) => {
                        emit(StreamEvent::ReasoningDelta(self.held[..end].to_string()), out);
                        self.held.drain(..end + CLOSE.len());
                        self.state = State::AfterThinking;
                    }
                    None => {
                        // Keep a tail that may be the start of `</think>`.
                        let keep = (1..CLOSE.len()).rev().find(|&n| self.held.ends_with(&CLOSE[..n])).unwrap_or(0);
                        let shown: String = self.held.drain(..self.held.len() - keep).collect();
                        return emit(StreamEvent::ReasoningDelta(shown), out);
                    }
                },
                State::AfterThinking => {
                    let answer = self.held.trim_start().to_string();
                    self.held.clear();
                    if !answer.is_empty() {
                        self.state = State::Answer;
                        emit(StreamEvent::TextDelta(answer), out);
                    }
                    return;
                }
                State::Answer => return emit(StreamEvent::TextDelta(std::mem::take(&mut self.held)), out),
            }
        }
    }

    /// The text is over: what was held back goes where it was heading
    /// (a reasoning block never closed stays reasoning).
    pub fn flush(&mut self, out: &mut Vec<StreamEvent>) {
        let held = std::mem::take(&mut self.held);
        match self.state {
            State::Start => emit(StreamEvent::TextDelta(held), out),
            State::Thinking => emit(StreamEvent::ReasoningDelta(held), out),
            State::AfterThinking | State::Answer => {}
        }
    }
}

fn emit(event: StreamEvent, out: &mut Vec<StreamEvent>) {
    if let StreamEvent::TextDelta(text) | StreamEvent::ReasoningDelta(text) = &event {
        if !text.is_empty() {
            out.push(event);
        }
    }
}

/// A whole text as `(reasoning, answer)`: for answers stored before
/// reasoning was kept apart.
pub fn split_think(text: &str) -> (String, String) {
    let mut tags = ThinkTags::default();
    let mut events = Vec::new();
    tags.push(text, &mut events);
    tags.flush(&mut events);
    let (mut reasoning, mut answer) = (String::new(), String::new());
    for event in events {
        match event {
            StreamEvent::ReasoningDelta(text) => reasoning.push_str(&text),
            StreamEvent::TextDelta(text) => answer.push_str(&text),
            _ => {}
        }
    }
    (reasoning, answer)
}
