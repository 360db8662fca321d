//! TLS, as libpq's `sslmode` defines it, against a real server: a private
//! cluster with TLS on and a certificate for `localhost` signed by a CA made
//! here, and the local server's own certificate where it has TLS on.

use crate::common;

use common::cluster::PrivateCluster;
use pgtable::prelude::*;
use pgtable::{Error, sql};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

/// A CA, and a server certificate for `localhost` signed by it.
struct Certs {
    ca_pem: String,
    server_pem: String,
    server_key_pem: String,
}

fn make_ca(name: &str) -> (String, Issuer<'static, KeyPair>) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), Issuer::new(params, key))
}

fn certs() -> Certs {
    let (ca_pem, ca) = make_ca("pgtable test CA");
    let key = KeyPair::generate().unwrap();
    let params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    let cert = params.signed_by(&key, &ca).unwrap();
    Certs {
        ca_pem,
        server_pem: cert.pem(),
        server_key_pem: key.serialize_pem(),
    }
}

async fn uses_tls(db: &Db) -> Result<bool, Error> {
    let (ssl,): (bool,) = sql("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(db)
        .await?;
    Ok(ssl)
}

async fn connect(url: &str) -> Result<Db, Error> {
    Db::connect(url).await
}

#[tokio::test]
async fn sslmodes_against_a_tls_server() {
    let certs = certs();
    let cluster = match PrivateCluster::start_configured(
        "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'",
        &[
            ("server.crt", &certs.server_pem),
            ("server.key", &certs.server_key_pem),
        ],
    ) {
        Ok(cluster) => cluster,
        Err(why) => return common::skip("sslmodes_against_a_tls_server", &why),
    };
    let tmp = tempfile::tempdir().unwrap();
    let ca = tmp.path().join("ca.pem");
    std::fs::write(&ca, &certs.ca_pem).unwrap();
    let (other_ca_pem, _) = make_ca("another CA");
    let other_ca = tmp.path().join("other-ca.pem");
    std::fs::write(&other_ca, other_ca_pem).unwrap();
    let port = cluster.port();
    let base = |host: &str| format!("postgres://postgres@{host}:{port}/postgres");
    let ca = ca.display();

    let plain = connect(&format!("{}?sslmode=disable", base("127.0.0.1")))
        .await
        .unwrap();
    assert!(!uses_tls(&plain).await.unwrap());
    for mode in ["prefer", "require"] {
        let db = connect(&format!("{}?sslmode={mode}", base("127.0.0.1")))
            .await
            .unwrap();
        assert!(uses_tls(&db).await.unwrap(), "sslmode={mode}");
    }
    // The default is prefer.
    assert!(
        uses_tls(&connect(&base("127.0.0.1")).await.unwrap())
            .await
            .unwrap()
    );

    // verify-ca checks the chain, not the name (the certificate names
    // localhost; we connect to 127.0.0.1).
    let db = connect(&format!(
        "{}?sslmode=verify-ca&sslrootcert={ca}",
        base("127.0.0.1")
    ))
    .await
    .unwrap();
    assert!(uses_tls(&db).await.unwrap());
    // verify-full checks the name too.
    let db = connect(&format!(
        "{}?sslmode=verify-full&sslrootcert={ca}",
        base("localhost")
    ))
    .await
    .unwrap();
    assert!(uses_tls(&db).await.unwrap());
    let err = connect(&format!(
        "{}?sslmode=verify-full&sslrootcert={ca}",
        base("127.0.0.1")
    ))
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "cannot connect to PostgreSQL at 127.0.0.1:{port}/postgres as user postgres: TLS: invalid peer certificate: certificate not valid for name \"127.0.0.1\""
        )),
        "{message}"
    );
    assert!(
        message.ends_with("connect by a name it lists, or use sslmode=verify-ca)"),
        "{message}"
    );
    // A certificate from another CA is refused by verify-ca, and by
    // require once a root certificate is given (as libpq does).
    for mode in ["verify-ca", "require"] {
        let err = connect(&format!(
            "{}?sslmode={mode}&sslrootcert={}",
            base("127.0.0.1"),
            other_ca.display()
        ))
        .await
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("TLS: invalid peer certificate: UnknownIssuer"),
            "sslmode={mode}: {err}"
        );
    }
    // A root file that is not there says so.
    let err = connect(&format!(
        "{}?sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem",
        base("127.0.0.1")
    ))
    .await
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("configuration error: cannot read sslrootcert /nonexistent/ca.pem"),
        "{err}"
    );
}

/// The local server, where it runs with TLS on (Debian's snakeoil
/// certificate, for `localhost`): require and verify-ca with its
/// certificate as the root.
#[tokio::test]
async fn the_local_server_certificate() {
    let url = common::database_url();
    // DATABASE_URL may carry options of its own.
    let sep = if url.contains('?') { '&' } else { '?' };
    let admin = connect(&format!("{url}{sep}sslmode=disable"))
        .await
        .unwrap();
    let (ssl, cert): (String, String) =
        sql("SELECT current_setting('ssl'), current_setting('ssl_cert_file')")
            .fetch_one(&admin)
            .await
            .unwrap();
    if ssl != "on" || std::fs::metadata(&cert).is_err() {
        return common::skip(
            "the_local_server_certificate",
            &format!("the server at {url} has ssl={ssl}, certificate {cert:?} not readable here"),
        );
    }
    let db = connect(&format!("{url}{sep}sslmode=require"))
        .await
        .unwrap();
    assert!(uses_tls(&db).await.unwrap());
    let db = connect(&format!("{url}{sep}sslmode=verify-ca&sslrootcert={cert}"))
        .await
        .unwrap();
    assert!(uses_tls(&db).await.unwrap());
}
