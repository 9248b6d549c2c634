//! What is drawn over the views: the `?` help (its scroll), toasts (the footer's messages and
//! their history) and the context picker. The write loop's dialogs (quick actions, the commit
//! message, push progress) are `changes::Modal`: they belong to that flow.

use super::{Effect, State};
use crate::keymap::{Action, Context, Keymap};

/// A message shown in the footer until the next key; kept in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub error: bool,
    pub text: String,
}

impl State {
    pub(crate) fn toast(&mut self, error: bool, text: impl Into<String>) {
        let t = Toast {
            error,
            text: text.into(),
        };
        self.toast_history.push(t.clone());
        if self.toast_history.len() > 100 {
            self.toast_history.remove(0);
        }
        self.toast = Some(t);
    }
}

/// One line of the `?` overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    Blank,
    /// A context's section starts.
    Title(Context),
    /// Keys and what they do; a description too long for the box goes on under empty keys.
    Row {
        keys: String,
        desc: String,
    },
}

/// The `?` overlay laid out for a screen: its lines, wrapped to fit, and its box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpLayout {
    pub lines: Vec<HelpLine>,
    /// The width of the keys column.
    pub key_w: usize,
    /// The box, borders included, at most the screen less a margin.
    pub width: u16,
    pub height: u16,
}

impl HelpLayout {
    /// The lines inside the box.
    pub fn inner_height(&self) -> usize {
        self.height.saturating_sub(2) as usize
    }

    /// The furthest the text scrolls: its last line at the bottom of the box.
    pub fn max_scroll(&self) -> usize {
        self.lines.len().saturating_sub(self.inner_height())
    }

    /// Where the section of `ctx` starts (0 when it has none).
    pub fn section(&self, ctx: Context) -> usize {
        self.lines
            .iter()
            .position(|l| *l == HelpLine::Title(ctx))
            .unwrap_or(0)
    }
}

/// Lays the bindings of `contexts` out for a screen of `size`: the box fits the screen's width
/// (descriptions wrap at word boundaries) and height (the text scrolls).
pub fn help_layout(keymap: &Keymap, contexts: &[Context], size: (u16, u16)) -> HelpLayout {
    let rows = keymap.help_rows(contexts);
    let key_w = rows
        .iter()
        .flat_map(|(_, r)| r.iter().map(|(k, _)| k.chars().count()))
        .max()
        .unwrap_or(8)
        .min(24);
    let longest = rows
        .iter()
        .flat_map(|(_, r)| r.iter().map(|(_, d)| d.chars().count()))
        .max()
        .unwrap_or(20);
    let width = ((key_w + longest + 6) as u16)
        .min(size.0.saturating_sub(2))
        .max(20.min(size.0));
    // Inside the borders: 2 spaces, the keys, 2 spaces, the description.
    let desc_w = (width as usize).saturating_sub(2 + key_w + 4).max(8);
    let mut lines = Vec::new();
    for (ctx, bindings) in &rows {
        if !lines.is_empty() {
            lines.push(HelpLine::Blank);
        }
        lines.push(HelpLine::Title(*ctx));
        for (keys, desc) in bindings {
            for (i, part) in wrap(desc, desc_w).into_iter().enumerate() {
                lines.push(HelpLine::Row {
                    keys: if i == 0 { keys.clone() } else { String::new() },
                    desc: part,
                });
            }
        }
    }
    let height = (lines.len() as u16 + 2)
        .min(size.1.saturating_sub(2))
        .max(3.min(size.1));
    HelpLayout {
        lines,
        key_w,
        width,
        height,
    }
}

/// `text` in lines of at most `width` characters, broken at spaces (a longer word is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let mut line = String::new();
    for word in text.split(' ') {
        let fits = line.chars().count() + 1 + word.chars().count() <= width;
        if !line.is_empty() && !fits {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.chars().count() > width {
            let head: String = line.chars().take(width).collect();
            let rest: String = line.chars().skip(width).collect();
            out.push(head);
            line = rest;
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// Opens the `?` overlay at the section of `ctx` (the context in force), or closes it.
pub fn toggle_help(
    help: &mut Option<usize>,
    keymap: &Keymap,
    contexts: &[Context],
    ctx: Context,
    size: (u16, u16),
) {
    *help = match help {
        Some(_) => None,
        None => {
            let l = help_layout(keymap, contexts, size);
            Some(l.section(ctx).min(l.max_scroll()))
        }
    };
}

/// Scrolls the `?` overlay (`help` is its scroll; `None`: closed) of `contexts` on a screen of
/// `size`, never past its last line. Shared by the console and the dashboard.
pub fn scroll_help(
    help: &mut Option<usize>,
    action: Action,
    keymap: &Keymap,
    contexts: &[Context],
    size: (u16, u16),
) {
    let Some(scroll) = help.as_mut() else {
        return;
    };
    let l = help_layout(keymap, contexts, size);
    let page = l.inner_height().max(1);
    match action {
        Action::Back => {
            *help = None;
            return;
        }
        Action::Down => *scroll += 1,
        Action::Up => *scroll = scroll.saturating_sub(1),
        Action::PageDown => *scroll += page,
        Action::PageUp => *scroll = scroll.saturating_sub(page),
        Action::Top => *scroll = 0,
        Action::Bottom => *scroll = usize::MAX,
        _ => {}
    }
    *scroll = (*scroll).min(l.max_scroll());
}

/// The context switcher: each context of the kubeconfig and whether it is watched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picker {
    pub items: Vec<(String, bool)>,
    pub selected: usize,
}

pub fn open_picker(state: &mut State) {
    let items = state
        .live
        .contexts
        .iter()
        .map(|c| (c.clone(), state.live.active_contexts.contains(c)))
        .collect::<Vec<_>>();
    if items.is_empty() {
        state.toast(false, "no kubeconfig contexts");
        return;
    }
    state.views.picker = Some(Picker { items, selected: 0 });
}

pub fn picker_action(state: &mut State, action: Action, fx: &mut Vec<Effect>) {
    let Some(p) = state.views.picker.as_mut() else {
        return;
    };
    match action {
        Action::Back => state.views.picker = None,
        Action::Up => p.selected = p.selected.saturating_sub(1),
        Action::Down => p.selected = (p.selected + 1).min(p.items.len().saturating_sub(1)),
        Action::Toggle => {
            if let Some(i) = p.items.get_mut(p.selected) {
                i.1 = !i.1;
            }
        }
        Action::Apply => {
            let active: Vec<String> = p
                .items
                .iter()
                .filter(|(_, on)| *on)
                .map(|(c, _)| c.clone())
                .collect();
            state.views.picker = None;
            if active.is_empty() {
                state.toast(false, "keep at least one context");
                return;
            }
            // The watches restart on the new contexts.
            state.live.wants.clear();
            fx.push(Effect::UseContexts(active));
            super::nav::request_watches(state, fx);
        }
        _ => {}
    }
    state.dirty = true;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_context_picker_switches_contexts() {
        let mut s = State::default();
        s.live.apply(super::super::live::LiveMsg::Contexts {
            available: vec!["mgmt-a".into(), "mgmt-b".into()],
            active: vec!["mgmt-a".into()],
        });
        open_picker(&mut s);
        let mut fx = vec![];
        picker_action(&mut s, Action::Down, &mut fx);
        picker_action(&mut s, Action::Toggle, &mut fx);
        picker_action(&mut s, Action::Apply, &mut fx);
        assert!(s.views.picker.is_none());
        assert!(fx.contains(&Effect::UseContexts(vec!["mgmt-a".into(), "mgmt-b".into()])));
        // Unticking everything is refused.
        open_picker(&mut s);
        let mut fx = vec![];
        picker_action(&mut s, Action::Toggle, &mut fx);
        s.views.picker.as_mut().unwrap().items[1].1 = false;
        picker_action(&mut s, Action::Apply, &mut fx);
        assert!(fx.is_empty());
        assert!(s.toast.is_some());
    }
}
