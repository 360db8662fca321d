//! A private, throwaway PostgreSQL cluster for tests that must stop,
//! restart or kill their server: initdb with trust auth under
//! `target/tmp`, on a free port, run as the `postgres` OS user when the
//! tests run as root, stopped and removed when dropped. Its data directory
//! is a copy of one that initdb made once (kept in `target/tmp`, like a
//! build's output, for the next run).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// How every cluster's data directory is made: trust auth, UTF-8.
const INITDB_ARGS: [&str; 5] = ["-U", "postgres", "--auth=trust", "-E", "UTF8"];

pub struct PrivateCluster {
    dir: PathBuf,
    bindir: PathBuf,
    port: u16,
    as_postgres: bool,
}

/// The newest installed server's `bin` directory: Debian's layout, else
/// wherever `initdb` is on the PATH.
fn server_bindir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    dirs.sort_by_key(|dir| {
        dir.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    if let Some(dir) = dirs.pop() {
        return Some(dir);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find(|dir| dir.join("initdb").is_file())
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

pub fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

fn describe(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Whether the postgres OS user can enter `dir` (every directory above it
/// must let it through).
pub fn reachable_by_postgres(dir: &Path) -> bool {
    Command::new("runuser")
        .args(["-u", "postgres", "--", "test", "-x"])
        .arg(dir)
        .current_dir("/")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// Gives `dir` (or a file) and what it holds to the postgres OS user.
pub fn chown_tree(dir: &Path) -> Result<(), String> {
    let out = Command::new("chown")
        .arg("-R")
        .arg("postgres")
        .arg(dir)
        .output()
        .map_err(|e| format!("chown did not run: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "cannot give {} to the postgres user: {}",
            dir.display(),
            describe(&out)
        ))
    }
}

impl PrivateCluster {
    /// Starts a new cluster, or says why it cannot.
    pub fn start() -> Result<PrivateCluster, String> {
        PrivateCluster::start_configured("", &[])
    }

    /// Starts a new cluster with `conf` appended to its postgresql.conf and
    /// `files` (name, contents) written into its data directory, readable
    /// by the server only (as PostgreSQL wants a key file).
    pub fn start_configured(conf: &str, files: &[(&str, &str)]) -> Result<PrivateCluster, String> {
        let bindir = server_bindir().ok_or(
            "no PostgreSQL server binaries (initdb) are installed; scripts/test installs them",
        )?;
        let as_postgres = is_root();
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let name = format!("pgtable-cluster-{}", uuid::Uuid::new_v4().simple());
        let mut dir = base.join(&name);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let mut cluster = PrivateCluster {
            dir: dir.clone(),
            bindir,
            port: free_port()?,
            as_postgres,
        };
        if as_postgres {
            // PostgreSQL refuses to run as root; its user must reach the
            // directory, which a home directory may not allow.
            cluster.chown(&dir)?;
            if !cluster
                .run(Command::new("test").arg("-w").arg(&dir))
                .is_ok_and(|o| o.status.success())
            {
                let _ = std::fs::remove_dir_all(&dir);
                dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                cluster.dir = dir.clone();
                cluster.chown(&dir)?;
            }
        }
        let data = cluster.data();
        // A copy keeps the template's owner (postgres, when we are root);
        // where there is none, or it cannot be copied, initdb runs.
        let copied = cluster.template(&base).is_some_and(|template| {
            Command::new("cp")
                .arg("-a")
                .arg(template)
                .arg(&data)
                .output()
                .is_ok_and(|out| out.status.success())
        });
        if !copied {
            let _ = std::fs::remove_dir_all(&data);
            cluster.initdb(&data)?;
        }
        for (name, contents) in files {
            let path = data.join(name);
            std::fs::write(&path, contents).map_err(|e| format!("cannot write {name}: {e}"))?;
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| e.to_string())?;
            if as_postgres {
                cluster.chown(&path)?;
            }
        }
        if !conf.is_empty() {
            use std::io::Write;
            let mut file = std::fs::OpenOptions::new()
                .append(true)
                .open(data.join("postgresql.conf"))
                .map_err(|e| format!("cannot extend postgresql.conf: {e}"))?;
            writeln!(file, "\n{conf}").map_err(|e| e.to_string())?;
        }
        cluster.pg_ctl(&["start", "-w", "-t", "60"])?;
        Ok(cluster)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// A new cluster's data directory at `data`, as initdb makes it.
    fn initdb(&self, data: &Path) -> Result<(), String> {
        let out = self
            .run(
                Command::new(self.bindir.join("initdb"))
                    .arg("-D")
                    .arg(data)
                    .args(INITDB_ARGS),
            )
            .map_err(|e| format!("initdb did not run: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("initdb failed: {}", describe(&out)))
        }
    }

    /// A data directory made by initdb once under `base` (the target
    /// directory's), for these server binaries, and copied for each
    /// cluster: initdb is most of a cluster's start (about a second of
    /// both cores). Made in a directory of its own and renamed into
    /// place, so that test processes starting clusters at once never see
    /// half of one. Named after the binaries and initdb's arguments, so
    /// that a change to either makes a new one. None where the postgres
    /// user cannot reach `base`: each cluster then runs initdb itself,
    /// leaving nothing outside the target directory.
    fn template(&self, base: &Path) -> Option<PathBuf> {
        if self.as_postgres && !reachable_by_postgres(base) {
            return None;
        }
        let key: String = std::iter::once(self.bindir.to_string_lossy().into_owned())
            .chain(INITDB_ARGS.map(str::to_owned))
            .collect::<String>()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let template = base.join(format!("pgtable-initdb{key}"));
        if template.join("PG_VERSION").is_file() {
            return Some(template);
        }
        let making = base.join(format!("pgtable-initdb-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&making).ok()?;
        let made = (!self.as_postgres || self.chown(&making).is_ok())
            && self.initdb(&making.join("data")).is_ok()
            && std::fs::rename(making.join("data"), &template).is_ok();
        // Renaming fails when another process put its template there first.
        let _ = std::fs::remove_dir_all(&making);
        (made || template.join("PG_VERSION").is_file()).then_some(template)
    }

    /// A streaming replica of this cluster (`pg_basebackup -R`), started.
    pub fn replica(&self) -> Result<PrivateCluster, String> {
        let name = format!("pgtable-replica-{}", uuid::Uuid::new_v4().simple());
        let dir = self.dir.parent().unwrap_or(&self.dir).join(name);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let replica = PrivateCluster {
            dir: dir.clone(),
            bindir: self.bindir.clone(),
            port: free_port()?,
            as_postgres: self.as_postgres,
        };
        if self.as_postgres {
            replica.chown(&dir)?;
        }
        let out = replica
            .run(
                Command::new(self.bindir.join("pg_basebackup"))
                    .args([
                        "-h",
                        "127.0.0.1",
                        "-p",
                        &self.port.to_string(),
                        "-U",
                        "postgres",
                    ])
                    .arg("-D")
                    .arg(replica.data())
                    .args(["-R", "-X", "stream", "-c", "fast"]),
            )
            .map_err(|e| format!("pg_basebackup did not run: {e}"))?;
        if !out.status.success() {
            return Err(format!("pg_basebackup failed: {}", describe(&out)));
        }
        replica.pg_ctl(&["start", "-w", "-t", "60"])?;
        Ok(replica)
    }

    fn chown(&self, path: &Path) -> Result<(), String> {
        chown_tree(path)
    }

    /// Runs `command` as the postgres OS user when we are root, from `/`.
    fn run(&self, command: &mut Command) -> std::io::Result<Output> {
        command.current_dir("/");
        if self.as_postgres {
            let program = command.get_program().to_owned();
            let args: Vec<_> = command.get_args().map(ToOwned::to_owned).collect();
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(program)
                .args(args)
                .current_dir("/")
                .output()
        } else {
            command.output()
        }
    }

    /// Runs `pg_ctl` on the cluster with `args` (`start`, `stop -m fast`, …).
    pub fn pg_ctl(&self, args: &[&str]) -> Result<(), String> {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c max_connections=100",
            self.port,
            self.dir.display()
        );
        let out = self
            .run(
                Command::new(self.bindir.join("pg_ctl"))
                    .arg("-D")
                    .arg(self.data())
                    .arg("-l")
                    .arg(self.dir.join("server.log"))
                    .arg("-o")
                    .arg(options)
                    .args(args),
            )
            .map_err(|e| format!("pg_ctl did not run: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("pg_ctl {args:?} failed: {}", describe(&out)))
        }
    }

    /// A URL of database `db` on the cluster.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.data()
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["stop", "-m", "immediate", "-w"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
