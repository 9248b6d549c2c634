//! What is drawn over the views: the `?` help (its scroll), toasts (the footer's messages and
//! their history) and the context picker. The write loop's dialogs (quick actions, the commit
//! message, push progress) are `changes::Modal`: they belong to that flow.

use super::{Effect, State};
use crate::keymap::Action;

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

/// Scrolls the `?` overlay (`help` is its scroll; `None`: closed) on a screen `height` rows
/// high. Shared by the console and the dashboard.
pub fn scroll_help(help: &mut Option<usize>, action: Action, height: u16) {
    let Some(scroll) = help.as_mut() else {
        return;
    };
    let page = height.saturating_sub(6) as usize;
    match action {
        Action::Back => *help = None,
        Action::Down => *scroll += 1,
        Action::Up => *scroll = scroll.saturating_sub(1),
        Action::PageDown => *scroll += page,
        Action::PageUp => *scroll = scroll.saturating_sub(page),
        _ => {}
    }
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
