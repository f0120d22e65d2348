//! The command line: `serve`, `migrate`, `admin create`, `hash-password`, `hash`,
//! `barcode`, `import`, `reindex`.

use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::app::{AppState, Application};
use crate::auth::password;
use crate::config::{redact, Config, Overrides};
use crate::services::accounts;

#[derive(Parser)]
#[command(
    name = "touchstone",
    version,
    about = "Counterfeit-identification product database"
)]
pub struct Cli {
    /// A TOML configuration file (default: ./touchstone.toml when it exists).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Folder for the database, indexes and images (default ./data).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the web server, applying pending migrations first.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Applies pending database migrations and exits.
    Migrate,
    /// Manages platform administrators.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Reads a password on standard input and prints its argon2id hash.
    HashPassword,
    /// Prints the PDQ hash of each image as `<hex>,<quality>,<file>` (the reference
    /// tool's format); an unreadable file is reported on stderr and the exit code is 1.
    Hash {
        /// Print the 8 dihedral hashes (original, rot90, rot180, rot270, flipx, flipy,
        /// flip about the main diagonal, about the anti-diagonal) before the quality.
        #[arg(long)]
        dihedral: bool,
        /// Hash the pixels as stored, ignoring the EXIF orientation tag.
        #[arg(long)]
        no_exif: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Prints the barcodes in each image (EAN-13, EAN-8, UPC-A, UPC-E, DataMatrix, QR),
    /// one line per code as `<file>: <symbology> <text>`, or `<file>: none`; control
    /// characters in the text (the GS1 separator) are printed escaped, as `\u{1d}`. An
    /// unreadable file is reported on stderr and the exit code is 1.
    Barcode {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Imports products of a right holder from CSV or JSON Lines, with an optional zip
    /// of the images the rows name (see docs/import.md).
    Import(crate::import::cli::ImportArgs),
    /// Rebuilds the search indexes from the database (stop the server first: the text
    /// index has one writer).
    Reindex,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Creates an administrator. The password is read from standard input; when standard
    /// input is a terminal or empty, one is generated and printed once.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("touchstone: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,actix_server=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn load_config(cli: &Cli, bind: Option<String>) -> Result<Config, String> {
    Config::load(
        cli.config.as_deref(),
        Overrides {
            bind,
            data_dir: cli.data_dir.clone(),
        },
    )
    .map_err(|e| e.to_string())
}

fn execute(cli: Cli) -> Result<(), String> {
    match &cli.command {
        Command::Serve { bind } => serve(load_config(&cli, bind.clone())?),
        Command::Migrate => {
            let config = load_config(&cli, None)?;
            crate::app::prepare_database(&config).map_err(|e| detail(&e))?;
            println!(
                "Database migrated: {}",
                redact(&config.effective_database_url())
            );
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::Create { email, name },
        } => {
            let pool =
                crate::app::prepare_database(&load_config(&cli, None)?).map_err(|e| detail(&e))?;
            let (plain, generated) = read_or_generate_password()?;
            password::check_strength(&plain, email).map_err(|e| e.public_message())?;
            let hash = password::hash(&plain).map_err(|e| detail(&e))?;
            let mut conn = pool.get().map_err(|e| format!("database: {e}"))?;
            let admin =
                accounts::create_admin(&mut conn, email, name, &hash, generated).map_err(|e| {
                    match e {
                        crate::error::AppError::Internal(_) => detail(&e),
                        other => other.public_message(),
                    }
                })?;
            println!("Created administrator {}", admin.email);
            if generated {
                println!("One-time password (change it at first sign-in): {plain}");
            }
            Ok(())
        }
        Command::Hash {
            dihedral,
            no_exif,
            files,
        } => hash_files(files, *dihedral, !*no_exif),
        Command::Barcode { files } => barcode_files(files),
        Command::Import(args) => {
            let config = load_config(&cli, None)?;
            let pool = crate::app::prepare_database(&config).map_err(|e| detail(&e))?;
            crate::import::cli::execute(&pool, &config.data_dir, args)
        }
        Command::Reindex => {
            let state = AppState::new(load_config(&cli, None)?).map_err(|e| detail(&e))?;
            let applied = state.search.rebuild().map_err(|e| detail(&e))?;
            let images = state.search.image_count();
            state.search.shutdown();
            println!("Search indexes rebuilt up to outbox row {applied}; {images} images indexed.");
            Ok(())
        }
        Command::HashPassword => {
            let mut plain = String::new();
            std::io::stdin()
                .read_to_string(&mut plain)
                .map_err(|e| e.to_string())?;
            let plain = plain.trim_end_matches(['\r', '\n']);
            if plain.is_empty() {
                return Err("give the password on standard input".into());
            }
            println!("{}", password::hash(plain).map_err(|e| detail(&e))?);
            Ok(())
        }
    }
}

fn detail(e: &crate::error::AppError) -> String {
    match e {
        crate::error::AppError::Internal(detail) => detail.clone(),
        other => other.public_message(),
    }
}

/// `touchstone hash`: every file is tried; failures are counted and reported at the end.
fn hash_files(files: &[PathBuf], dihedral: bool, apply_exif: bool) -> Result<(), String> {
    use search_index::pdq::{hash_file, DecodeOptions};
    let options = DecodeOptions {
        apply_exif_orientation: apply_exif,
        ..DecodeOptions::default()
    };
    let mut failed = 0;
    for file in files {
        match hash_file(file, &options) {
            Ok(hashes) => {
                let hex: Vec<String> = if dihedral {
                    hashes.hashes.iter().map(|h| h.to_hex()).collect()
                } else {
                    vec![hashes.hashes[0].to_hex()]
                };
                println!("{},{},{}", hex.join(","), hashes.quality, file.display());
            }
            Err(e) => {
                eprintln!("touchstone: {}: {e}", file.display());
                failed += 1;
            }
        }
    }
    match failed {
        0 => Ok(()),
        n => Err(format!("{n} of {} files could not be hashed", files.len())),
    }
}

/// `touchstone barcode`: every file is tried; failures are counted and reported at the end.
fn barcode_files(files: &[PathBuf]) -> Result<(), String> {
    let limits = crate::images::ImageLimits::default();
    let mut failed = 0;
    for file in files {
        let decoded = std::fs::read(file)
            .map_err(|e| e.to_string())
            .and_then(|bytes| crate::images::decode(&bytes, &limits).map_err(|e| e.to_string()));
        match decoded {
            Ok((_, img)) => {
                let codes = barcode::decode(&img);
                if codes.is_empty() {
                    println!("{}: none", file.display());
                }
                for code in codes {
                    println!(
                        "{}: {} {}",
                        file.display(),
                        code.symbology,
                        barcode::printable(&code.text)
                    );
                }
            }
            Err(e) => {
                eprintln!("touchstone: {}: {e}", file.display());
                failed += 1;
            }
        }
    }
    match failed {
        0 => Ok(()),
        n => Err(format!("{n} of {} files could not be read", files.len())),
    }
}

/// The password from standard input, or a generated one when there is none.
fn read_or_generate_password() -> Result<(String, bool), String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok((password::generate(), true));
    }
    let mut text = String::new();
    stdin
        .lock()
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    let text = text.trim_end_matches(['\r', '\n']).to_string();
    if text.is_empty() {
        Ok((password::generate(), true))
    } else {
        Ok((text, false))
    }
}

fn serve(config: Config) -> Result<(), String> {
    actix_web::rt::System::new().block_on(async move {
        let database = redact(&config.effective_database_url());
        let application = Application::build(config).map_err(|e| detail(&e))?;
        if let Some((email, plain)) = &application.first_admin {
            println!("First start: created the administrator {email}");
            println!("One-time password (change it at first sign-in): {plain}");
        }
        tracing::info!(port = application.port(), database = %database, "Touchstone is listening");
        println!("Touchstone is listening on port {}", application.port());
        application
            .run_until_stopped()
            .await
            .map_err(|e| e.to_string())
    })
}
