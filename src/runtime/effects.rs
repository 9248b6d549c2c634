//! The console's tasks: the effect runner that turns `app::Effect`s into work on the git
//! worker, the writer thread (only with the capability), the kube supervisor, the blocking pool
//! (index, file reads, checks) and the terminal (the editor, Ctrl-Z).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use color_eyre::Result;
use tokio::sync::mpsc;
use tracing::info;

use super::event_loop::{Core, Tasks, Term};
use super::input::Input;
use crate::app::browser::FileText;
use crate::app::live::images::ImagesMsg;
use crate::app::write::WriteOp;
use crate::app::{Effect, Msg, State, update};
use crate::config::Refresh;
use crate::git::worker::{self, GitJob};
use crate::git::writer::Writer;
use crate::kube::supervisor;
use crate::repo::index;
use crate::theme::Theme;

impl Core for State {
    type Msg = Msg;
    type Effect = Effect;

    fn input(ev: Input) -> Option<Msg> {
        Some(match ev {
            Input::Key(k) => Msg::Key(k),
            Input::Scroll { column, row, delta } => Msg::Scroll { column, row, delta },
            Input::Paste(s) => Msg::Paste(s),
            Input::Resize(w, h) => Msg::Resize(w, h),
            Input::Focus(f) => Msg::Focus(f),
        })
    }

    fn tick(now: crate::model::Time) -> Msg {
        Msg::Tick(now)
    }

    fn init(&mut self) -> Vec<Effect> {
        State::init(self)
    }

    fn update(&mut self, msg: Msg) -> Vec<Effect> {
        update(self, msg)
    }

    fn settle(&mut self) -> Vec<Effect> {
        crate::app::live::views::settle(self)
    }

    fn unsettled(&self) -> bool {
        self.live.changed.any()
    }

    fn dirty(&self) -> bool {
        self.dirty
    }

    fn urgent(&self) -> bool {
        self.awaits_first_rows()
    }

    fn drawn(&mut self) {
        self.dirty = false;
    }

    fn quit(&self) -> bool {
        self.quit
    }

    fn draw(&self, frame: &mut ratatui::Frame, theme: &Theme) {
        crate::view::draw(frame, self, theme)
    }
}

/// The console's options that do not belong in `State`.
pub struct ConsoleOptions {
    pub refresh: Refresh,
    /// The Kubernetes side; `None` runs the repo browser alone.
    pub kube: Option<supervisor::Options>,
    pub min_frame: Duration,
    /// Clair, for the Images view (`None`: not configured, or the config is wrong).
    pub clair: Option<crate::clair::Endpoint>,
}

/// Runs the console until the user quits.
pub async fn run_console(mut state: State, theme: Theme, opts: ConsoleOptions) -> Result<()> {
    let (tx, rx) = mpsc::channel::<Msg>(1024);
    let mut tasks = ConsoleTasks::start(&state, &opts, tx.clone());
    super::event_loop::run(
        &mut state,
        &theme,
        &mut tasks,
        tx,
        rx,
        super::event_loop::LoopOptions::new(opts.min_frame),
    )
    .await
}

/// The tasks behind the console's effects, started once.
pub struct ConsoleTasks {
    root: PathBuf,
    tx: mpsc::Sender<Msg>,
    git: std::sync::mpsc::Sender<GitJob>,
    /// Only a console holding the capability gets the thread that writes.
    writer: Option<Writer>,
    kube: Option<mpsc::UnboundedSender<supervisor::Command>>,
    /// The Clair client of the Images view (shared by its tasks).
    clair: Option<Arc<crate::clair::client::Client>>,
    /// Dropping this stops the file watcher.
    _watch: Option<std::sync::mpsc::Sender<()>>,
}

impl ConsoleTasks {
    pub fn start(state: &State, opts: &ConsoleOptions, tx: mpsc::Sender<Msg>) -> ConsoleTasks {
        let root = state.repo.root.clone();
        let git = worker::spawn(root.clone(), tx.clone());
        let writer = state
            .write
            .clone()
            .map(|cap| Writer::spawn(cap, root.clone(), tx.clone()));
        let _watch = opts.refresh.watch.then(|| {
            super::watcher::spawn(
                root.clone(),
                tx.clone(),
                Msg::RepoChanged,
                opts.refresh.debounce_ms,
            )
        });
        if opts.refresh.git_status_secs > 0 {
            let tx = tx.clone();
            let every = Duration::from_secs(opts.refresh.git_status_secs);
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                tick.tick().await;
                loop {
                    tick.tick().await;
                    if tx.send(Msg::RepoChanged).await.is_err() {
                        break;
                    }
                }
            });
        }
        // The supervisor sends its own `LiveMsg`s; they reach the core as `Msg::Live`.
        let kube = opts.kube.clone().map(|k| {
            let (kube_tx, kube_rx) = mpsc::channel(1024);
            crate::kube::protocol::forward(kube_rx, tx.clone(), Msg::Live);
            supervisor::spawn(k, kube_tx)
        });
        let clair = opts.clair.as_ref().and_then(|e| {
            crate::clair::client::Client::new(e)
                .map_err(|e| tracing::warn!(error = %e, "no Clair client"))
                .ok()
                .map(Arc::new)
        });
        ConsoleTasks {
            root,
            tx,
            git,
            writer,
            kube,
            clair,
            _watch,
        }
    }
}

impl Tasks<State> for ConsoleTasks {
    fn run(&mut self, fx: Effect, term: &mut Term) -> Result<Vec<Msg>> {
        match fx {
            Effect::Quit => {}
            Effect::Suspend => {
                term.suspend()?;
                return Ok(vec![Msg::Resumed]);
            }
            Effect::Write(_cap, WriteOp::Edit { path, line }) => {
                let root = self.root.clone();
                let result = term.hand_over(|| run_editor(&root.join(&path), line))?;
                return Ok(vec![Msg::Resumed, Msg::Edited { path, result }]);
            }
            Effect::Write(cap, op) => match &self.writer {
                Some(w) => w.send(cap, op),
                None => tracing::error!(op = op.name(), "a write without a writer"),
            },
            Effect::CancelWrite => {
                if let Some(w) = &self.writer {
                    w.cancel();
                }
            }
            Effect::Watch(wants) => {
                if let Some(k) = &self.kube {
                    let _ = k.send(supervisor::Command::Want(wants));
                }
            }
            Effect::UseContexts(c) => {
                if let Some(k) = &self.kube {
                    let _ = k.send(supervisor::Command::UseContexts(c));
                }
            }
            Effect::Stream(req) => match &self.kube {
                Some(k) => {
                    let _ = k.send(supervisor::Command::Stream(req));
                }
                None => {
                    let _ =
                        self.tx
                            .try_send(Msg::Live(crate::kube::protocol::LiveMsg::StreamEnded {
                                id: req.id,
                                error: Some("no Kubernetes connection".into()),
                            }));
                }
            },
            Effect::StopStream(id) => {
                if let Some(k) = &self.kube {
                    let _ = k.send(supervisor::Command::StopStream(id));
                }
            }
            Effect::FetchReports(digests) => images::fetch(self.clair.clone(), digests, &self.tx),
            Effect::IndexImage {
                image,
                reference,
                digest,
            } => images::index(self.clair.clone(), image, reference, digest, &self.tx),
            other => run_effect(other, &self.root, &self.tx, &self.git),
        }
        Ok(vec![])
    }
}

/// Runs `$VISUAL`, else `$EDITOR`, else `vi` on `file` at `line`, in the real terminal. The
/// variable may hold arguments (`code -w`): the shell splits it, as git does.
fn run_editor(file: &Path, line: usize) -> std::result::Result<(), String> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|e| !e.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".into());
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg("sh")
        .arg(format!("+{line}"))
        .arg(file)
        .status()
        .map_err(|e| format!("could not run ({editor}: {e})"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("exited with {status}"))
    }
}

/// Starts the task for one effect; its result comes back as a message.
fn run_effect(
    fx: Effect,
    root: &Path,
    tx: &mpsc::Sender<Msg>,
    git: &std::sync::mpsc::Sender<GitJob>,
) {
    match fx {
        Effect::Reindex => {
            let root = root.to_path_buf();
            let tx = tx.clone();
            tokio::task::spawn_blocking(move || {
                let _span = tracing::info_span!("index", root = %root.display()).entered();
                let started = std::time::Instant::now();
                let result = index::build(&root)
                    .map(|mut i| {
                        // The policy rules' failures, marked on files and resources; the
                        // standards' repo side from the same scan.
                        let (failed, side) = crate::standards::scan_repo_with_outcomes(&root);
                        i.policy = failed;
                        i.standards = side;
                        Arc::new(i)
                    })
                    .map_err(|e| e.to_string());
                if let Ok(i) = &result {
                    info!(
                        files = i.files.len(),
                        resources = i.resource_count(),
                        ms = started.elapsed().as_millis() as u64,
                        "indexed"
                    );
                }
                let _ = tx.blocking_send(Msg::Indexed(result));
            });
        }
        Effect::LoadFile(path) => {
            let abs = root.join(&path);
            let tx = tx.clone();
            tokio::task::spawn_blocking(move || {
                let result = std::fs::read(&abs).map_err(|e| e.to_string()).map(|bytes| {
                    let text = String::from_utf8_lossy(&bytes);
                    Arc::new(FileText::new(&text, index::is_yaml(&abs)))
                });
                let _ = tx.blocking_send(Msg::FileLoaded { path, result });
            });
        }
        Effect::RefreshGit => {
            let _ = git.send(GitJob::Status);
        }
        Effect::ScanRepoImages => {
            let root = root.to_path_buf();
            let tx = tx.clone();
            tokio::task::spawn_blocking(move || {
                let seen = crate::clair::images::repo_images(&root);
                let _ = tx.blocking_send(Msg::Images(ImagesMsg::Repo(Ok(seen))));
            });
        }
        Effect::ReadRevisions(wanted) => {
            let _ = git.send(GitJob::Revisions(wanted));
        }
        Effect::GitLog(path) => {
            let _ = git.send(GitJob::Log(path));
        }
        Effect::LoadChanges => {
            let _ = git.send(GitJob::Changes);
        }
        Effect::LoadDiff(path) => {
            let _ = git.send(GitJob::Diff(path));
        }
        Effect::LoadQuick(target) => {
            let abs = root.join(&target.path);
            let tx = tx.clone();
            tokio::task::spawn_blocking(move || {
                let result = std::fs::read_to_string(&abs)
                    .map(|text| crate::repo::quick::options(&text, target.doc, &target.kind))
                    .map_err(|e| format!("cannot read {}: {e}", target.path));
                let _ = tx.blocking_send(Msg::QuickOptions { target, result });
            });
        }
        Effect::Validate(paths) => {
            let root = root.to_path_buf();
            let tx = tx.clone();
            tokio::task::spawn_blocking(move || {
                let result =
                    match crate::git::status::discover(&root) {
                        Some(workdir) => Ok(crate::repo::check::check_files(&workdir, &paths)
                            .into_iter()
                            .map(|f| crate::app::changes::CheckFinding {
                                path: f.path,
                                line: f.line,
                                message: f.message,
                                policy: false,
                            })
                            .chain(crate::policy::failed_in(&workdir, &paths).into_iter().map(
                                |o| crate::app::changes::CheckFinding {
                                    path: o.path,
                                    line: o.line,
                                    message: format!("{} {}: {}", o.rule, o.resource, o.message),
                                    policy: true,
                                },
                            ))
                            .collect()),
                        None => Err("the repo is not in a git work tree".to_string()),
                    };
                let _ = tx.blocking_send(Msg::Validated(result));
            });
        }
        Effect::Suspend
        | Effect::Write(..)
        | Effect::CancelWrite
        | Effect::Quit
        | Effect::Watch(_)
        | Effect::UseContexts(_)
        | Effect::Stream(_)
        | Effect::StopStream(_)
        | Effect::FetchReports(_)
        | Effect::IndexImage { .. } => {}
    }
}

/// The Images view's tasks: Clair's reports and indexing. Every request is bounded in time
/// (and the client caps what an answer may hold), so a slow or broken Clair marks the rows
/// with its error instead of holding anything up.
mod images {
    use std::sync::Arc;
    use std::time::Duration;

    use futures::StreamExt;
    use tokio::sync::mpsc;

    use crate::app::Msg;
    use crate::app::live::images::ImagesMsg;
    use crate::clair::client::{Client, Http, unix_now};
    use crate::clair::registry::{self, ImageRef};
    use crate::clair::{ReportState, VulnSource};

    /// The longest one report may take.
    pub const REPORT_TIMEOUT: Duration = Duration::from_secs(15);
    /// The longest resolving and indexing an image may take.
    pub const INDEX_TIMEOUT: Duration = Duration::from_secs(90);
    /// Reports asked at once.
    const PARALLEL: usize = 4;

    pub fn fetch(client: Option<Arc<Client>>, digests: Vec<String>, tx: &mpsc::Sender<Msg>) {
        let tx = tx.clone();
        tokio::spawn(async move {
            futures::stream::iter(digests)
                .map(|d| {
                    let client = client.clone();
                    async move {
                        let state = match client {
                            None => ReportState::Failed("no Clair client".into()),
                            Some(c) => {
                                match tokio::time::timeout(REPORT_TIMEOUT, c.report(&d)).await {
                                    Ok(s) => s,
                                    Err(_) => ReportState::Failed(format!(
                                        "Clair did not answer within {}s",
                                        REPORT_TIMEOUT.as_secs()
                                    )),
                                }
                            }
                        };
                        (d, state)
                    }
                })
                .buffer_unordered(PARALLEL)
                .for_each(|(digest, state)| {
                    let tx = tx.clone();
                    async move {
                        let at = unix_now() as i64;
                        let _ = tx
                            .send(Msg::Images(ImagesMsg::Report { digest, state, at }))
                            .await;
                    }
                })
                .await;
        });
    }

    pub fn index(
        client: Option<Arc<Client>>,
        image: String,
        reference: String,
        digest: Option<String>,
        tx: &mpsc::Sender<Msg>,
    ) {
        let tx = tx.clone();
        tokio::spawn(async move {
            let work = async {
                let client = client.ok_or("no Clair client")?;
                let r = ImageRef::parse(&reference)?;
                let http = Http::new()?;
                let manifest = registry::resolve(&http, &r, "https", "linux/amd64").await?;
                let answer = client.index(&manifest).await?;
                Ok::<_, String>((manifest.hash, answer.state))
            };
            let (digest, result) = match tokio::time::timeout(INDEX_TIMEOUT, work).await {
                Ok(Ok((hash, state))) => (Some(hash), Ok(state)),
                Ok(Err(e)) => (digest, Err(e)),
                Err(_) => (
                    digest,
                    Err(format!("no answer within {}s", INDEX_TIMEOUT.as_secs())),
                ),
            };
            tracing::info!(image = %image, ok = result.is_ok(), "index request");
            let _ = tx
                .send(Msg::Images(ImagesMsg::Indexed {
                    image,
                    digest,
                    result,
                }))
                .await;
        });
    }
}
