//! A private PgBouncer in transaction mode, in front of the test server:
//! on a free port, its files under `target/tmp`, run as the `postgres` OS
//! user when the tests run as root (PgBouncer refuses root), stopped when
//! dropped.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct PgBouncer {
    dir: PathBuf,
    port: u16,
}

fn binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")])
        .map(|dir| dir.join("pgbouncer"))
        .find(|p| p.is_file())
}

impl PgBouncer {
    /// PgBouncer in transaction mode in front of `host:port`, with at most
    /// `server_conns` server connections per database and user.
    pub fn start(host: &str, port: u16, server_conns: u32) -> Result<PgBouncer, String> {
        let bin = binary().ok_or(
            "pgbouncer is not installed (Debian: apt-get install pgbouncer; scripts/test installs it)",
        )?;
        let as_postgres = super::cluster::is_root();
        let name = format!("pgbouncer-{}", uuid::Uuid::new_v4().simple());
        let mut dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(&name);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        if as_postgres && !super::cluster::reachable_by_postgres(&dir) {
            // A home directory the postgres user cannot enter: use /tmp.
            let _ = std::fs::remove_dir_all(&dir);
            dir = std::env::temp_dir().join(&name);
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let listen = super::cluster::free_port()?;
        let d = dir.display();
        let config = format!(
            "[databases]\n* = host={host} port={port}\n\n[pgbouncer]\n\
             listen_addr = 127.0.0.1\nlisten_port = {listen}\nunix_socket_dir =\n\
             auth_type = trust\nauth_file = {d}/users.txt\n\
             pool_mode = transaction\ndefault_pool_size = {server_conns}\nmax_client_conn = 500\n\
             ignore_startup_parameters = extra_float_digits,options\n\
             logfile = {d}/pgbouncer.log\npidfile = {d}/pgbouncer.pid\n"
        );
        std::fs::write(dir.join("pgbouncer.ini"), config).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("users.txt"), "\"postgres\" \"\"\n").map_err(|e| e.to_string())?;
        let bouncer = PgBouncer {
            dir: dir.clone(),
            port: listen,
        };
        if as_postgres {
            super::cluster::chown_tree(&dir)?;
        }
        let mut command = if as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&bin);
            c
        } else {
            Command::new(&bin)
        };
        let out = command
            .arg("-d")
            .arg(dir.join("pgbouncer.ini"))
            .current_dir("/")
            .output()
            .map_err(|e| format!("pgbouncer did not run: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "pgbouncer did not start: {}{}",
                String::from_utf8_lossy(&out.stderr),
                std::fs::read_to_string(dir.join("pgbouncer.log")).unwrap_or_default()
            ));
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", listen)).is_err() {
            if Instant::now() > deadline {
                return Err("pgbouncer did not listen within 10 s".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(bouncer)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its version, as it prints it.
    pub fn version() -> Option<String> {
        let out = Command::new(binary()?).arg("--version").output().ok()?;
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .map(str::to_owned)
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.join("pgbouncer.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
