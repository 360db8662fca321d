//! Splitting SQL text into statements, aware of quotes, quoted
//! identifiers, comments and dollar quoting: for migration files (each
//! statement with the line it starts on, so an error raised while
//! executing one names its line) and to refuse text holding more than one
//! statement where only one may be sent.

/// One statement of a migration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Statement<'a> {
    /// The statement's text, without its `;`, leading comments included.
    pub text: &'a str,
    /// The 1-based line of the file where `text` begins.
    pub first_line: usize,
}

impl Statement<'_> {
    /// The statement's code: its text after the leading comments.
    pub fn code(&self) -> &str {
        &self.text[code_start(self.text)..]
    }

    /// The leading comments (and white space) before the code.
    pub fn comments(&self) -> &str {
        &self.text[..code_start(self.text)]
    }

    /// The 1-based line of the file holding the statement's first token.
    pub fn line(&self) -> usize {
        let code = code_start(self.text);
        self.first_line + self.text[..code].matches('\n').count()
    }

    /// The line of the file for a 1-based *character* position in `text`,
    /// as PostgreSQL reports it.
    pub fn line_at(&self, position: usize) -> usize {
        let before = self
            .text
            .chars()
            .take(position.saturating_sub(1))
            .filter(|&c| c == '\n')
            .count();
        self.first_line + before
    }
}

/// The statements of `sql`, split at top-level semicolons: not inside
/// quotes, quoted identifiers, comments or dollar-quoted bodies. Pieces
/// holding only white space and comments are left out.
pub(crate) fn statements(sql: &str) -> Vec<Statement<'_>> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => i = skip_string(bytes, i),
            b'"' => i = skip_quoted(bytes, i + 1, b'"'),
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = memchr(bytes, i, b'\n').map_or(bytes.len(), |n| n + 1)
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_block_comment(bytes, i),
            b'$' if !follows_word(bytes, i) => i = skip_dollar(bytes, i),
            b';' => {
                push(&mut out, sql, start, i);
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    push(&mut out, sql, start, bytes.len());
    out
}

fn push<'a>(out: &mut Vec<Statement<'a>>, sql: &'a str, start: usize, end: usize) {
    let text = &sql[start..end];
    if code_start(text) < text.len() {
        out.push(Statement {
            text,
            first_line: sql[..start].matches('\n').count() + 1,
        });
    }
}

/// The byte offset of the first character that is neither white space nor
/// part of a comment (`text.len()` if there is none).
fn code_start(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = memchr(bytes, i, b'\n').map_or(bytes.len(), |n| n + 1)
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_block_comment(bytes, i),
            _ => return i,
        }
    }
    bytes.len()
}

fn memchr(bytes: &[u8], from: usize, needle: u8) -> Option<usize> {
    bytes[from..]
        .iter()
        .position(|&b| b == needle)
        .map(|n| from + n)
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn follows_word(bytes: &[u8], i: usize) -> bool {
    i > 0 && is_word(bytes[i - 1])
}

/// Past a `'…'` string starting at `i`; an `E'…'` string also escapes
/// with backslashes.
fn skip_string(bytes: &[u8], i: usize) -> usize {
    let escaped = i > 0 && matches!(bytes[i - 1], b'e' | b'E') && !(i > 1 && is_word(bytes[i - 2]));
    if !escaped {
        return skip_quoted(bytes, i + 1, b'\'');
    }
    let mut j = i + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'\'' if bytes.get(j + 1) == Some(&b'\'') => j += 2,
            b'\'' => return j + 1,
            _ => j += 1,
        }
    }
    bytes.len()
}

/// Past a quoted run whose quote doubles to escape itself, from `j`
/// (just after the opening quote).
fn skip_quoted(bytes: &[u8], mut j: usize, quote: u8) -> usize {
    while j < bytes.len() {
        if bytes[j] == quote {
            if bytes.get(j + 1) == Some(&quote) {
                j += 2;
                continue;
            }
            return j + 1;
        }
        j += 1;
    }
    bytes.len()
}

/// Past a `/* … */` comment starting at `i`; they nest in PostgreSQL.
fn skip_block_comment(bytes: &[u8], i: usize) -> usize {
    let mut depth = 0;
    let mut j = i;
    while j < bytes.len() {
        if bytes[j] == b'/' && bytes.get(j + 1) == Some(&b'*') {
            depth += 1;
            j += 2;
        } else if bytes[j] == b'*' && bytes.get(j + 1) == Some(&b'/') {
            depth -= 1;
            j += 2;
            if depth == 0 {
                return j;
            }
        } else {
            j += 1;
        }
    }
    bytes.len()
}

/// Past a `$tag$ … $tag$` body starting at `i`, or past the lone `$` when
/// it opens no tag (a parameter such as `$1`).
fn skip_dollar(bytes: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
        j += 1;
    }
    let tag_ok = bytes.get(j) == Some(&b'$') && !bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
    if !tag_ok {
        return i + 1;
    }
    let tag = &bytes[i..=j];
    let body = j + 1;
    bytes[body..]
        .windows(tag.len())
        .position(|w| w == tag)
        .map_or(bytes.len(), |n| body + n + tag.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<(usize, &str)> {
        statements(sql)
            .iter()
            .map(|s| (s.line(), s.text.trim()))
            .collect()
    }

    #[test]
    fn splits_at_top_level_semicolons_only() {
        let sql = "CREATE TABLE a (x text DEFAULT 'a;b');\n\
                   -- a comment; with a semicolon\n\
                   INSERT INTO \"we;ird\" VALUES (E'it\\'s;');\n\
                   /* block /* nested; */ still; */\n\
                   CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n\
                   SELECT $1;\n";
        let got = texts(sql);
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(got[0], (1, "CREATE TABLE a (x text DEFAULT 'a;b')"));
        assert_eq!(got[1].0, 3);
        assert!(got[1].1.ends_with("VALUES (E'it\\'s;')"), "{got:?}");
        assert_eq!(got[2].0, 5);
        assert!(got[2].1.ends_with("LANGUAGE sql"), "{got:?}");
        assert_eq!(got[3], (6, "SELECT $1"));
    }

    #[test]
    fn comment_only_pieces_are_left_out() {
        assert!(statements("-- nothing\n/* here */\n;\n").is_empty());
        assert_eq!(texts("SELECT 1"), [(1, "SELECT 1")]);
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let sql = "SELECT 1;\n-- café ünïcödé\nSELECT 'ü'\n FROM nosuch";
        let all = statements(sql);
        let second = &all[1];
        assert_eq!(second.line(), 3);
        // PostgreSQL's position of `nosuch`, counted in characters.
        let byte = second.text.find("nosuch").unwrap();
        let position = second.text[..byte].chars().count() + 1;
        assert_ne!(
            byte + 1,
            position,
            "the text before has multi-byte characters"
        );
        assert_eq!(second.line_at(position), 4);
    }
}
