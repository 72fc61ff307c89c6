//! Writing a report folder so that DIR always holds a complete report: the old one or the new one.
//!
//! 1. DIR, if it exists, is replaced only with `force`, and only when it is a trialstat report:
//!    a real folder (not a symbolic link) whose `manifest.json` parses and has the keys trialstat
//!    writes (`trialstat_version`, `spec`, `outputs`). Anything else is refused (exit 2).
//! 2. The new report is built in a folder created next to DIR with a random name,
//!    `.DIR.tmp-PID-XXXXXX` (`tempfile`: created exclusively with `mkdir`, so never an existing
//!    folder or a symbolic link planted there). Every file is created with `create_new` (never
//!    through a symbolic link, never over a file), written and fsynced; then every folder.
//! 3. The swap. On Linux, `renameat2(RENAME_EXCHANGE)` exchanges DIR and the new folder in one
//!    step; the old report, now at the temporary name, is removed after the parent folder has
//!    been fsynced. A new DIR is renamed into place with `RENAME_NOREPLACE`. Where the file
//!    system cannot exchange (and off Linux) two renames are used: DIR to `.DIR.old-PID-N`, the
//!    new folder to DIR; an error between them renames the old one back, but a kill between
//!    them leaves DIR absent (the old report stays at `.DIR.old-PID-N`).
//! 4. Leftovers of killed runs next to DIR (`.DIR.tmp-PID…` and `.DIR.old-PID…`, the names of
//!    this and earlier versions) are removed before a new report is written when the process
//!    PID is no longer running (off Unix: when the folder is more than 10 minutes old) and the
//!    folder holds nothing but what trialstat writes (`index.html`, `manifest.json`,
//!    `spec.toml`, and plain files in `tables/` and `plots/`; no symbolic links).

use super::Output;
use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// The steps of a write, in order, where a test can make it fail ([`write_with`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    CreateTemp,
    CreateDir,
    WriteFile,
    SyncFile,
    SyncDir,
    /// The exchange (or the rename of a new DIR); in the two-rename fallback, renaming DIR away.
    Swap,
    /// Fallback only: renaming the new folder to DIR.
    RenameNew,
    SyncParent,
    RemoveOld,
}

/// What a test makes happen at a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) enum Fault {
    /// The step fails with an I/O error; the writer cleans up as it would after a real one.
    Error,
    /// The process dies at this point: nothing more is done, temporary folders stay behind.
    Kill,
}

/// How DIR is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SwapMode {
    /// `renameat2` on Linux (falling back to two renames where the file system refuses it).
    Native,
    /// Two renames (the non-Linux way), for tests on Linux.
    #[allow(dead_code)]
    TwoRenames,
}

enum Stop {
    Io(std::io::Error),
    Killed,
}

impl From<std::io::Error> for Stop {
    fn from(e: std::io::Error) -> Self {
        Stop::Io(e)
    }
}

struct Faults<'a>(&'a mut dyn FnMut(Step) -> Option<Fault>);

impl Faults<'_> {
    fn at(&mut self, s: Step) -> std::result::Result<(), Stop> {
        match (self.0)(s) {
            None => Ok(()),
            Some(Fault::Error) => Err(Stop::Io(std::io::Error::other(format!("injected failure at {s:?}")))),
            Some(Fault::Kill) => Err(Stop::Killed),
        }
    }
}

/// Write `outputs` into `dir`: see the module documentation.
pub fn write_atomic(dir: &Path, outputs: &[Output], force: bool) -> Result<()> {
    write_with(dir, outputs, force, SwapMode::Native, &mut |_| None)
}

/// The parent folder and the name of `dir`.
fn split(dir: &Path) -> Result<(PathBuf, String)> {
    let leaf = match dir.components().next_back() {
        Some(Component::Normal(s)) => s.to_string_lossy().into_owned(),
        _ => return Err(Error::File { file: dir.display().to_string(), message: "cannot be a report folder: name a folder, e.g. --out trialstat-report".into() }),
    };
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    Ok((parent, leaf))
}

/// Check that `dir` may be written: it does not exist (false), or it is a trialstat report and
/// `force` is set (true).
pub fn check_target(dir: &Path, force: bool) -> Result<bool> {
    let ferr = |m: String| Error::File { file: dir.display().to_string(), message: m };
    split(dir)?;
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(ferr(format!("cannot read: {e}"))),
        Ok(_) if !force => Err(ferr("exists; add --force to replace it".into())),
        Ok(m) if m.file_type().is_symlink() => Err(ferr("exists and is a symbolic link, not a trialstat report; refusing to replace it".into())),
        Ok(m) if !m.is_dir() => Err(ferr("exists and is not a folder; refusing to replace it".into())),
        Ok(_) => match is_report(dir) {
            Ok(()) => Ok(true),
            Err(why) => Err(ferr(format!("exists and is not a trialstat report ({why}); refusing to replace it"))),
        },
    }
}

/// Is `dir` a folder trialstat wrote? `Err` says why not.
fn is_report(dir: &Path) -> std::result::Result<(), String> {
    let m = dir.join("manifest.json");
    match std::fs::symlink_metadata(&m) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err("no manifest.json".into()),
        Err(e) => return Err(format!("manifest.json: {e}")),
        Ok(md) if !md.file_type().is_file() => return Err("manifest.json is not a regular file".into()),
        Ok(_) => {}
    }
    let bytes = crate::input::read_bounded(&m, crate::input::SPEC_MAX_BYTES, "manifest").map_err(|_| "manifest.json cannot be read".to_string())?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| "manifest.json is not JSON".to_string())?;
    let ours = v.get("trialstat_version").is_some_and(|x| x.is_string())
        && v.get("spec").is_some_and(|x| x.is_object())
        && v.get("outputs").and_then(|x| x.as_array()).is_some_and(|a| a.iter().all(|o| o.get("path").is_some_and(|p| p.is_string()) && o.get("sha256").is_some()));
    if ours {
        Ok(())
    } else {
        Err("manifest.json is not trialstat's".into())
    }
}

/// [`write_atomic`] with a swap mode and a fault hook, called before each step.
pub(crate) fn write_with(dir: &Path, outputs: &[Output], force: bool, mode: SwapMode, hook: &mut dyn FnMut(Step) -> Option<Fault>) -> Result<()> {
    let name = dir.display().to_string();
    let ferr = |m: String| Error::File { file: name.clone(), message: m };
    let replacing = check_target(dir, force)?;
    let (parent, leaf) = split(dir)?;
    std::fs::create_dir_all(&parent).map_err(|e| ferr(format!("cannot create its parent folder: {e}")))?;
    clean_leftovers(&parent, &leaf, &pid_alive);
    let mut faults = Faults(hook);
    let killed = || ferr("killed (injected fault)".into());

    let created = faults.at(Step::CreateTemp).and_then(|_| {
        tempfile::Builder::new().prefix(&format!(".{leaf}.tmp-{}-", std::process::id())).tempdir_in(&parent).map(tempfile::TempDir::keep).map_err(Stop::Io)
    });
    let tmp = match created {
        Ok(t) => t,
        Err(Stop::Killed) => return Err(killed()),
        Err(Stop::Io(e)) => return Err(ferr(format!("cannot create a folder beside it: {e}"))),
    };
    match fill(&tmp, outputs, &mut faults) {
        Ok(()) => {}
        Err(Stop::Killed) => return Err(killed()),
        Err(Stop::Io(e)) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(ferr(format!("cannot write the report: {e}")));
        }
    }
    match swap(&parent, &leaf, &tmp, dir, replacing, mode, &mut faults) {
        Ok(()) => Ok(()),
        Err(Stop::Killed) => Err(killed()),
        Err(Stop::Io(e)) => Err(ferr(e.to_string())),
    }
}

/// Write every output into the fresh folder `tmp`, fsync every file and folder.
fn fill(tmp: &Path, outputs: &[Output], faults: &mut Faults) -> std::result::Result<(), Stop> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for o in outputs {
        let rel = Path::new(&o.path);
        if o.path.is_empty() || !rel.components().all(|c| matches!(c, Component::Normal(_))) {
            return Err(Stop::Io(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("output path '{}' is not inside the report folder", o.path))));
        }
        let mut d = tmp.to_path_buf();
        for c in rel.parent().into_iter().flat_map(Path::components) {
            d.push(c);
            if !dirs.contains(&d) {
                faults.at(Step::CreateDir)?;
                std::fs::create_dir(&d)?;
                dirs.push(d.clone());
            }
        }
        faults.at(Step::WriteFile)?;
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(tmp.join(rel))?;
        f.write_all(&o.bytes)?;
        faults.at(Step::SyncFile)?;
        f.sync_all()?;
    }
    for d in dirs.iter().rev().map(PathBuf::as_path).chain([tmp]) {
        faults.at(Step::SyncDir)?;
        sync_dir(d)?;
    }
    Ok(())
}

/// Put the complete folder `tmp` at `dir`.
fn swap(parent: &Path, leaf: &str, tmp: &Path, dir: &Path, replacing: bool, mode: SwapMode, faults: &mut Faults) -> std::result::Result<(), Stop> {
    let cleanup = |e: std::io::Error, what: &str| {
        let _ = std::fs::remove_dir_all(tmp);
        Stop::Io(std::io::Error::new(e.kind(), format!("cannot {what}: {e}")))
    };
    let native = mode == SwapMode::Native;
    // A fault injected before the swap fails as the swap itself would.
    let before_swap = |faults: &mut Faults| {
        faults.at(Step::Swap).map_err(|s| match s {
            Stop::Io(e) => cleanup(e, "replace it"),
            killed => killed,
        })
    };
    if !replacing {
        before_swap(faults)?;
        match if native { rename_noreplace(tmp, dir) } else { std::fs::rename(tmp, dir) } {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(cleanup(e, "create it: it appeared while the report was written, and is left as it is")),
            Err(e) => return Err(cleanup(e, "create it")),
        }
        faults.at(Step::SyncParent)?;
        return sync_dir(parent).map_err(|e| Stop::Io(std::io::Error::new(e.kind(), format!("written, but its parent folder could not be synced: {e}"))));
    }
    if native {
        before_swap(faults)?;
        match exchange(tmp, dir) {
            Ok(()) => {
                faults.at(Step::SyncParent)?;
                sync_dir(parent).map_err(|e| Stop::Io(std::io::Error::new(e.kind(), format!("replaced, but its parent folder could not be synced (the old report stays at {}): {e}", tmp.display()))))?;
                match faults.at(Step::RemoveOld) {
                    Err(Stop::Killed) => return Err(Stop::Killed),
                    // As if the removal failed: the old copy is left for a later run to remove.
                    Err(Stop::Io(_)) => return Ok(()),
                    Ok(()) => {}
                }
                // `tmp` now holds the old report: remove it if it still is one (it was checked
                // before; a folder swapped in meanwhile is left where it is).
                if is_report(tmp).is_ok() {
                    let _ = std::fs::remove_dir_all(tmp);
                }
                return Ok(());
            }
            Err(e) if unsupported(&e) => {}
            Err(e) => return Err(cleanup(e, "replace it")),
        }
    } else {
        before_swap(faults)?;
    }
    // Two renames: DIR out of the way, the new folder in.
    let old = (0u32..)
        .map(|n| parent.join(format!(".{leaf}.old-{}-{n}", std::process::id())))
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .unwrap_or_else(|| parent.join(format!(".{leaf}.old-{}", std::process::id())));
    std::fs::rename(dir, &old).map_err(|e| cleanup(e, "replace it"))?;
    let renamed = faults.at(Step::RenameNew).and_then(|_| std::fs::rename(tmp, dir).map_err(Stop::Io));
    match renamed {
        Ok(()) => {}
        Err(Stop::Killed) => return Err(Stop::Killed),
        Err(Stop::Io(e)) => {
            let _ = std::fs::rename(&old, dir);
            return Err(cleanup(e, "replace it"));
        }
    }
    faults.at(Step::SyncParent)?;
    sync_dir(parent).map_err(|e| Stop::Io(std::io::Error::new(e.kind(), format!("replaced, but its parent folder could not be synced (the old report stays at {}): {e}", old.display()))))?;
    match faults.at(Step::RemoveOld) {
        Err(Stop::Killed) => return Err(Stop::Killed),
        Err(Stop::Io(_)) => return Ok(()),
        Ok(()) => {}
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// The file system cannot do this kind of rename (an old kernel, a network or FUSE file system).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn unsupported(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP))
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        true
    }
}

#[cfg(target_os = "linux")]
fn renameat2(from: &Path, to: &Path, flags: libc::c_uint) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "path with a NUL byte"));
    let (f, t) = (c(from)?, c(to)?);
    // The system call rather than glibc's wrapper (glibc 2.28+): works with any C library.
    // SAFETY: two valid NUL-terminated paths that outlive the call; AT_FDCWD as both folders.
    let r = unsafe { libc::syscall(libc::SYS_renameat2, libc::AT_FDCWD, f.as_ptr(), libc::AT_FDCWD, t.as_ptr(), flags) };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Exchange the folders `a` and `b` atomically.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    renameat2(a, b, libc::RENAME_EXCHANGE)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Rename `from` to `to`, failing if `to` exists (a plain rename where that is not available).
fn rename_noreplace(from: &Path, to: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    match renameat2(from, to, libc::RENAME_NOREPLACE) {
        Err(e) if unsupported(&e) => {}
        r => return r,
    }
    std::fs::rename(from, to)
}

/// fsync a folder (its entries); a no-op where folders cannot be opened (Windows).
fn sync_dir(d: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(d)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = d;
        Ok(())
    }
}

/// Is process `pid` running? (Off Unix: unknown, so yes.)
fn pid_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(p) = libc::pid_t::try_from(pid) else {
            return false;
        };
        if p <= 0 {
            return false;
        }
        // SAFETY: signal 0 only checks that the process exists and may be signalled.
        let r = unsafe { libc::kill(p, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// The owner pid of a leftover `.LEAF.tmp-PID[-…]` or `.LEAF.old-PID[-…]` name.
fn leftover_pid(name: &str, leaf: &str) -> Option<u32> {
    let rest = [".tmp-", ".old-"].iter().find_map(|k| name.strip_prefix(&format!(".{leaf}{k}")))?;
    let (pid, tail) = rest.split_once('-').unwrap_or((rest, ""));
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) || tail.contains(['/', '\\']) {
        return None;
    }
    pid.parse().ok()
}

/// Does `d` hold nothing but what trialstat writes into a report folder?
fn only_ours(d: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(d) else {
        return false;
    };
    for e in entries {
        let Ok(e) = e else {
            return false;
        };
        let Ok(ft) = e.file_type() else {
            return false;
        };
        let name = e.file_name();
        let name = name.to_string_lossy();
        let ok = match (ft.is_file(), ft.is_dir()) {
            (true, _) => matches!(name.as_ref(), "index.html" | "manifest.json" | "spec.toml"),
            (_, true) if name == "tables" || name == "plots" => std::fs::read_dir(e.path()).is_ok_and(|inner| {
                inner.into_iter().all(|f| {
                    f.is_ok_and(|f| {
                        let n = f.file_name().to_string_lossy().into_owned();
                        f.file_type().is_ok_and(|t| t.is_file()) && [".csv", ".json", ".md", ".rtf", ".svg", ".png"].iter().any(|x| n.ends_with(x))
                    })
                })
            }),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// Remove what killed runs left next to `parent/leaf` (see the module documentation).
fn clean_leftovers(parent: &Path, leaf: &str, alive: &dyn Fn(u32) -> bool) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = leftover_pid(&name, leaf) else {
            continue;
        };
        let Ok(m) = std::fs::symlink_metadata(e.path()) else {
            continue;
        };
        if !m.is_dir() || pid == std::process::id() {
            continue;
        }
        let stale = if cfg!(unix) { !alive(pid) } else { m.modified().ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age.as_secs() > 600) };
        if stale && only_ours(&e.path()) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs(tag: &str) -> Vec<Output> {
        let mut v: Vec<Output> = ["tables/a.csv", "tables/a.md", "plots/p.svg", "index.html", "spec.toml"]
            .iter()
            .map(|p| Output { path: p.to_string(), bytes: format!("{tag} {p}\n").into_bytes() })
            .collect();
        let manifest = serde_json::json!({
            "trialstat_version": "test",
            "spec": {"file": "spec.toml", "sha256": ""},
            "outputs": v.iter().map(|o| serde_json::json!({"path": o.path, "sha256": super::super::sha256_hex(&o.bytes)})).collect::<Vec<_>>(),
        });
        v.push(Output { path: "manifest.json".into(), bytes: serde_json::to_vec(&manifest).unwrap() });
        v.sort_by(|a, b| a.path.cmp(&b.path));
        v
    }

    /// Every file under `d`, relative, sorted.
    fn tree(d: &Path) -> Vec<(String, Vec<u8>)> {
        fn walk(base: &Path, d: &Path, out: &mut Vec<(String, Vec<u8>)>) {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(base, &p, out);
                } else {
                    out.push((p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"), std::fs::read(&p).unwrap()));
                }
            }
        }
        let mut v = Vec::new();
        walk(d, d, &mut v);
        v.sort();
        v
    }

    fn as_tree(o: &[Output]) -> Vec<(String, Vec<u8>)> {
        o.iter().map(|o| (o.path.clone(), o.bytes.clone())).collect()
    }

    /// A fault at every step of a replacement leaves the old or the new report, complete, at DIR;
    /// after a kill, the next run cleans up what was left.
    #[test]
    fn a_fault_at_any_step_leaves_a_complete_report() {
        let (old, new) = (outputs("old"), outputs("new"));
        let modes: &[(SwapMode, &[Fault])] = &[(SwapMode::Native, &[Fault::Error, Fault::Kill]), (SwapMode::TwoRenames, &[Fault::Error])];
        for &(mode, faults) in modes {
            for &fault in faults {
                for replacing in [true, false] {
                    let base = tempfile::tempdir().unwrap();
                    let dir = base.path().join("out");
                    // The number of steps of an undisturbed write.
                    let mut n = 0;
                    if replacing {
                        write_atomic(&dir, &old, false).unwrap();
                    }
                    write_with(&dir, &new, true, mode, &mut |_| {
                        n += 1;
                        None
                    })
                    .unwrap();
                    assert_eq!(tree(&dir), as_tree(&new));
                    assert!(n >= 8, "{n} steps");
                    let mut seen_steps = Vec::new();
                    for k in 0..n {
                        let _ = std::fs::remove_dir_all(&dir);
                        if replacing {
                            write_atomic(&dir, &old, false).unwrap();
                        }
                        let mut i = 0;
                        let r = write_with(&dir, &new, true, mode, &mut |s| {
                            i += 1;
                            if i == k + 1 {
                                seen_steps.push(s);
                                Some(fault)
                            } else {
                                None
                            }
                        });
                        let at = seen_steps.last().copied();
                        let t = if dir.exists() { tree(&dir) } else { Vec::new() };
                        let ok = t == as_tree(&new) || (replacing && t == as_tree(&old)) || (!replacing && !dir.exists());
                        assert!(ok, "{mode:?} {fault:?} at step {k} ({at:?}), replacing {replacing}: DIR holds {:?}", t.iter().map(|x| &x.0).collect::<Vec<_>>());
                        if at != Some(Step::RemoveOld) {
                            assert!(r.is_err(), "{mode:?} {fault:?} at {at:?}: no error");
                        }
                        if fault == Fault::Error && !matches!(at, Some(Step::SyncParent | Step::RemoveOld)) {
                            // Cleaned up at once: nothing but DIR in the parent.
                            let names: Vec<String> = std::fs::read_dir(base.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
                            assert!(names.iter().all(|n| n == "out"), "{mode:?} at {at:?}: left {names:?}");
                        }
                        // What a killed run left goes at the next run once its process is gone.
                        clean_leftovers(base.path(), "out", &|_| false);
                        let names: Vec<String> = std::fs::read_dir(base.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
                        // (clean_leftovers skips this process's own folders: remove those by pid.)
                        let own = names.iter().filter(|n| leftover_pid(n, "out") == Some(std::process::id())).count();
                        let left: Vec<&String> = names.iter().filter(|n| *n != "out" && leftover_pid(n, "out") != Some(std::process::id())).collect();
                        assert!(left.is_empty(), "{left:?}");
                        if own > 0 {
                            for n in names.iter().filter(|n| *n != "out") {
                                assert!(only_ours(&base.path().join(n)), "{n} holds more than a report");
                                std::fs::remove_dir_all(base.path().join(n)).unwrap();
                            }
                        }
                    }
                    let all = [Step::CreateTemp, Step::CreateDir, Step::WriteFile, Step::SyncFile, Step::SyncDir, Step::Swap, Step::SyncParent];
                    for s in all {
                        assert!(seen_steps.contains(&s), "{mode:?}: step {s:?} never failed: {seen_steps:?}");
                    }
                    if replacing {
                        assert!(seen_steps.contains(&Step::RemoveOld));
                    }
                }
            }
        }
    }

    #[test]
    fn refuses_what_is_not_a_report_and_symlinks() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("thesis");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("thesis.tex"), "chapter 1").unwrap();
        let e = write_atomic(&dir, &outputs("new"), true).unwrap_err().to_string();
        assert!(e.ends_with("thesis: exists and is not a trialstat report (no manifest.json); refusing to replace it"), "{e}");
        std::fs::write(dir.join("manifest.json"), "{\"a\": 1}").unwrap();
        let e = write_atomic(&dir, &outputs("new"), true).unwrap_err().to_string();
        assert!(e.contains("(manifest.json is not trialstat's)"), "{e}");
        std::fs::write(dir.join("manifest.json"), "not json").unwrap();
        let e = write_atomic(&dir, &outputs("new"), true).unwrap_err().to_string();
        assert!(e.contains("(manifest.json is not JSON)"), "{e}");
        assert_eq!(std::fs::read_to_string(dir.join("thesis.tex")).unwrap(), "chapter 1");
        let e = write_atomic(&dir, &outputs("new"), false).unwrap_err().to_string();
        assert!(e.ends_with("exists; add --force to replace it"), "{e}");
        let f = base.path().join("file");
        std::fs::write(&f, "x").unwrap();
        let e = write_atomic(&f, &outputs("new"), true).unwrap_err().to_string();
        assert!(e.contains("is not a folder"), "{e}");
        let e = write_atomic(Path::new(".."), &outputs("new"), true).unwrap_err().to_string();
        assert!(e.contains("name a folder"), "{e}");
        #[cfg(unix)]
        {
            // A symbolic link at DIR, even to a real report, is not followed or replaced.
            let real = base.path().join("real");
            write_atomic(&real, &outputs("old"), false).unwrap();
            let link = base.path().join("link");
            std::os::unix::fs::symlink(&real, &link).unwrap();
            let e = write_atomic(&link, &outputs("new"), true).unwrap_err().to_string();
            assert!(e.contains("is a symbolic link"), "{e}");
            assert_eq!(tree(&real), as_tree(&outputs("old")));
        }
        let bad = vec![Output { path: "../escape".into(), bytes: vec![] }];
        let e = write_atomic(&base.path().join("x"), &bad, false).unwrap_err().to_string();
        assert!(e.contains("not inside the report folder"), "{e}");
        assert!(!base.path().join("escape").exists() && !base.path().join("x").exists());
    }

    #[test]
    fn leftovers_of_dead_runs_go_and_anything_else_stays() {
        let base = tempfile::tempdir().unwrap();
        let p = base.path();
        let mk = |name: &str, files: &[&str]| {
            std::fs::create_dir(p.join(name)).unwrap();
            for f in files {
                if let Some(d) = Path::new(f).parent() {
                    std::fs::create_dir_all(p.join(name).join(d)).unwrap();
                }
                std::fs::write(p.join(name).join(f), "x").unwrap();
            }
        };
        mk(".out.tmp-999999999-abcdef", &["index.html", "tables/a.csv"]);
        mk(".out.tmp-999999998", &[]);
        mk(".out.old-999999997", &["manifest.json", "plots/a.png"]);
        mk(".out.tmp-999999996-x", &["thesis.tex"]);
        mk(".out.tmp-999999995-x", &["tables/sub/a.csv"]);
        mk(".out.tmp-1-live", &["index.html"]);
        mk(".other.tmp-999999999-x", &["index.html"]);
        mk(".out.tmp-abc", &[]);
        clean_leftovers(p, "out", &|pid| pid == 1);
        let mut names: Vec<String> = std::fs::read_dir(p).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        assert_eq!(names, [".other.tmp-999999999-x", ".out.tmp-1-live", ".out.tmp-999999995-x", ".out.tmp-999999996-x", ".out.tmp-abc"]);
        assert!(pid_alive(std::process::id()));
        #[cfg(unix)]
        assert!(!pid_alive(999_999_999));
    }
}
