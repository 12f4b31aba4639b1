//! SQLite keeps types, defaults, checks, generated columns and index SQL as they were
//! written. These functions give one spelling per meaning, so that `CHECK ((price>=0) and
//! ("qty" != 7))` and `CHECK (price >= 0 AND qty <> 7)` compare equal:
//!
//! * tokens by SQLite's lexing (the statement splitter's rules): strings and comments are
//!   never touched;
//! * keywords in upper case, identifiers in lower case (SQLite compares them without case),
//!   quotes dropped where the name needs none (`"qty"`, `[qty]`, `` `qty` `` → `qty`);
//! * `!=` → `<>`, `==` → `=`;
//! * parentheses dropped where SQLite's operator precedence makes them redundant (the
//!   outer ones, those around a single operand, `(a > 0) AND (b < 1)`), never around a
//!   list, a subquery or a function's arguments;
//! * single spaces between tokens, none inside parentheses, after a function name or
//!   after a unary minus.
//!
//! What text cannot show (`a IN (1, 2)` against `a = 1 OR a = 2`) stays different: that is
//! for a comparison of compiled programs (`EXPLAIN`), which needs a database.

use crate::dialect::DatabaseKind;
use crate::sql::tokens::{Token, TokenKind, tokenize};

/// SQLite's keywords (<https://sqlite.org/lang_keywords.html>), upper case, sorted.
const KEYWORDS: &[&str] = &[
    "ABORT",
    "ACTION",
    "ADD",
    "AFTER",
    "ALL",
    "ALTER",
    "ALWAYS",
    "ANALYZE",
    "AND",
    "AS",
    "ASC",
    "ATTACH",
    "AUTOINCREMENT",
    "BEFORE",
    "BEGIN",
    "BETWEEN",
    "BY",
    "CASCADE",
    "CASE",
    "CAST",
    "CHECK",
    "COLLATE",
    "COLUMN",
    "COMMIT",
    "CONFLICT",
    "CONSTRAINT",
    "CREATE",
    "CROSS",
    "CURRENT",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "DATABASE",
    "DEFAULT",
    "DEFERRABLE",
    "DEFERRED",
    "DELETE",
    "DESC",
    "DETACH",
    "DISTINCT",
    "DO",
    "DROP",
    "EACH",
    "ELSE",
    "END",
    "ESCAPE",
    "EXCEPT",
    "EXCLUDE",
    "EXCLUSIVE",
    "EXISTS",
    "EXPLAIN",
    "FAIL",
    "FILTER",
    "FIRST",
    "FOLLOWING",
    "FOR",
    "FOREIGN",
    "FROM",
    "FULL",
    "GENERATED",
    "GLOB",
    "GROUP",
    "GROUPS",
    "HAVING",
    "IF",
    "IGNORE",
    "IMMEDIATE",
    "IN",
    "INDEX",
    "INDEXED",
    "INITIALLY",
    "INNER",
    "INSERT",
    "INSTEAD",
    "INTERSECT",
    "INTO",
    "IS",
    "ISNULL",
    "JOIN",
    "KEY",
    "LAST",
    "LEFT",
    "LIKE",
    "LIMIT",
    "MATCH",
    "MATERIALIZED",
    "NATURAL",
    "NO",
    "NOT",
    "NOTHING",
    "NOTNULL",
    "NULL",
    "NULLS",
    "OF",
    "OFFSET",
    "ON",
    "OR",
    "ORDER",
    "OTHERS",
    "OUTER",
    "OVER",
    "PARTITION",
    "PLAN",
    "PRAGMA",
    "PRECEDING",
    "PRIMARY",
    "QUERY",
    "RAISE",
    "RANGE",
    "RECURSIVE",
    "REFERENCES",
    "REGEXP",
    "REINDEX",
    "RELEASE",
    "RENAME",
    "REPLACE",
    "RESTRICT",
    "RETURNING",
    "RIGHT",
    "ROLLBACK",
    "ROW",
    "ROWS",
    "SAVEPOINT",
    "SELECT",
    "SET",
    "TABLE",
    "TEMP",
    "TEMPORARY",
    "THEN",
    "TIES",
    "TO",
    "TRANSACTION",
    "TRIGGER",
    "UNBOUNDED",
    "UNION",
    "UNIQUE",
    "UPDATE",
    "USING",
    "VACUUM",
    "VALUES",
    "VIEW",
    "VIRTUAL",
    "WHEN",
    "WHERE",
    "WINDOW",
    "WITH",
    "WITHOUT",
];

fn is_keyword(word: &str) -> bool {
    let upper = word.to_ascii_uppercase();
    KEYWORDS.binary_search(&upper.as_str()).is_ok()
}

/// A column's type affinity, by SQLite's rules (<https://sqlite.org/datatype3.html>).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affinity {
    /// The type names `INT`.
    Integer,
    /// `CHAR`, `CLOB` or `TEXT`.
    Text,
    /// `BLOB`, or no type.
    Blob,
    /// `REAL`, `FLOA` or `DOUB`.
    Real,
    /// Anything else.
    Numeric,
}

/// The affinity of a declared type.
///
/// ```
/// use migrate_embed::schema::normalize::sqlite::{affinity, Affinity};
/// assert_eq!(affinity("BIGINT"), Affinity::Integer);
/// assert_eq!(affinity("varchar(20)"), Affinity::Text);
/// assert_eq!(affinity(""), Affinity::Blob);
/// assert_eq!(affinity("DOUBLE PRECISION"), Affinity::Real);
/// assert_eq!(affinity("DECIMAL(10,2)"), Affinity::Numeric);
/// ```
pub fn affinity(declared_type: &str) -> Affinity {
    let t = declared_type.to_ascii_uppercase();
    if t.contains("INT") {
        Affinity::Integer
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        Affinity::Text
    } else if t.contains("BLOB") || t.trim().is_empty() {
        Affinity::Blob
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        Affinity::Real
    } else {
        Affinity::Numeric
    }
}

fn lexing() -> crate::dialect::Lexing {
    DatabaseKind::Sqlite.dialect().lexing()
}

/// A declared type's canonical text: upper case, single spaces between words, none around
/// parentheses and commas. `INT` and `INTEGER` stay different (only `INTEGER PRIMARY KEY`
/// is the rowid).
///
/// ```
/// use migrate_embed::schema::normalize::sqlite::canonical_type;
/// assert_eq!(canonical_type("varchar ( 20 )"), "VARCHAR(20)");
/// assert_eq!(canonical_type("NUMERIC(10, 2)"), "NUMERIC(10,2)");
/// assert_eq!(canonical_type("double   precision"), "DOUBLE PRECISION");
/// assert_eq!(canonical_type("int"), "INT");
/// ```
pub fn canonical_type(declared_type: &str) -> String {
    let mut out = String::new();
    let mut previous: Option<TokenKind> = None;
    for t in tokenize(declared_type, lexing()) {
        let text = match t.kind {
            TokenKind::Word => t.text.to_ascii_uppercase(),
            TokenKind::QuotedIdentifier => t.identifier().unwrap_or_default().to_ascii_uppercase(),
            _ => t.text.to_owned(),
        };
        let wordish = |k: Option<TokenKind>| {
            matches!(k, Some(TokenKind::Word | TokenKind::QuotedIdentifier | TokenKind::Number | TokenKind::String))
        };
        if wordish(previous) && wordish(Some(t.kind)) {
            out.push(' ');
        }
        out.push_str(&text);
        previous = Some(t.kind);
    }
    out
}

/// A collation name's canonical text (SQLite compares them without case).
pub fn canonical_collation(name: &str) -> String {
    tokenize(name, lexing()).first().and_then(Token::identifier).unwrap_or_default().to_ascii_uppercase()
}

/// An expression's canonical text (checks, generated columns, index keys and predicates;
/// see the module docs).
///
/// ```
/// use migrate_embed::schema::normalize::sqlite::canonical_expression;
/// let a = canonical_expression("((price>=0) and (\"qty\" != 7))");
/// assert_eq!(a, "price >= 0 AND qty <> 7");
/// assert_eq!(canonical_expression("LOWER( [Note] )"), "lower(note)");
/// assert_eq!(canonical_expression("(a + b) * c"), "(a + b) * c");
/// assert_eq!(canonical_expression("x IN (1,2)"), "x IN (1, 2)");
/// ```
pub fn canonical_expression(text: &str) -> String {
    expression(text, false)
}

/// A default's canonical text: as [`canonical_expression`], with `"…"` read as the string
/// it is in a default (there are no columns to name), `TRUE`/`FALSE` as the `1`/`0` they
/// are, a numeric string on a column of numeric affinity written as the number SQLite
/// stores (`'0'` → `0`), and a whole number on a column of text affinity as the text
/// SQLite stores (`0` → `'0'`).
///
/// ```
/// use migrate_embed::schema::normalize::sqlite::canonical_default;
/// assert_eq!(canonical_default("\"eu\"", "TEXT"), "'eu'");
/// assert_eq!(canonical_default("current_timestamp", "TEXT"), "CURRENT_TIMESTAMP");
/// assert_eq!(canonical_default("(DATETIME('now'))", "TEXT"), "datetime('now')");
/// assert_eq!(canonical_default("'0'", "INTEGER"), "0");
/// assert_eq!(canonical_default("'0'", "TEXT"), "'0'");
/// assert_eq!(canonical_default("0", "VARCHAR(5)"), "'0'");
/// assert_eq!(canonical_default("FALSE", "BOOLEAN"), "0");
/// assert_eq!(canonical_default("-1", "TEXT"), "'-1'");
/// assert_eq!(canonical_default("1.50", "TEXT"), "1.50");
/// ```
pub fn canonical_default(text: &str, declared_type: &str) -> String {
    let mut canonical = expression(text, true);
    if canonical.eq_ignore_ascii_case("TRUE") {
        canonical = "1".to_owned();
    } else if canonical.eq_ignore_ascii_case("FALSE") {
        canonical = "0".to_owned();
    }
    if affinity(declared_type) == Affinity::Text {
        let digits = canonical.strip_prefix('-').unwrap_or(&canonical);
        if !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'))
        {
            return format!("'{canonical}'");
        }
    }
    if affinity(declared_type) != Affinity::Text && affinity(declared_type) != Affinity::Blob {
        let tokens = tokenize(&canonical, lexing());
        if let [t] = tokens.as_slice()
            && t.kind == TokenKind::String
            && t.text.starts_with('\'')
        {
            let inner = &t.text[1..t.text.len().saturating_sub(1)];
            if is_decimal_number(inner) {
                return inner.to_owned();
            }
        }
    }
    canonical
}

/// `[+-]digits[.digits][e[+-]digits]`, as SQLite converts to a number on numeric columns.
fn is_decimal_number(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(at) => (&s[..at], Some(&s[at + 1..])),
        None => (s, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    (!whole.is_empty() || !fraction.is_empty())
        && digits(whole)
        && digits(fraction)
        && exponent.is_none_or(|e| {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && digits(e)
        })
}

/// One canonical token.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Tok {
    kind: TokenKind,
    text: String,
    /// A keyword (upper case), not an identifier.
    keyword: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Tok(Tok),
    Group(Vec<Node>),
}

fn canonical_token(t: &Token<'_>, in_default: bool) -> Tok {
    match t.kind {
        TokenKind::Word if is_keyword(t.text) => {
            Tok { kind: TokenKind::Word, text: t.text.to_ascii_uppercase(), keyword: true }
        }
        TokenKind::Word => Tok { kind: TokenKind::Word, text: t.text.to_lowercase(), keyword: false },
        TokenKind::QuotedIdentifier if in_default && t.text.starts_with('"') => {
            let value = t.identifier().unwrap_or_default();
            Tok { kind: TokenKind::String, text: format!("'{}'", value.replace('\'', "''")), keyword: false }
        }
        TokenKind::QuotedIdentifier => {
            let name = t.identifier().unwrap_or_default().to_lowercase();
            let plain = name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !is_keyword(&name);
            if plain {
                Tok { kind: TokenKind::Word, text: name, keyword: false }
            } else {
                Tok {
                    kind: TokenKind::QuotedIdentifier,
                    text: format!("\"{}\"", name.replace('"', "\"\"")),
                    keyword: false,
                }
            }
        }
        TokenKind::String if t.text.len() > 1 && (t.text.starts_with('x') || t.text.starts_with('X')) => {
            Tok { kind: TokenKind::String, text: format!("X{}", t.text[1..].to_ascii_uppercase()), keyword: false }
        }
        TokenKind::Operator => Tok {
            kind: TokenKind::Operator,
            text: match t.text {
                "!=" => "<>".to_owned(),
                "==" => "=".to_owned(),
                other => other.to_owned(),
            },
            keyword: false,
        },
        _ => Tok { kind: t.kind, text: t.text.to_owned(), keyword: false },
    }
}

fn expression(text: &str, in_default: bool) -> String {
    let tokens: Vec<Tok> = tokenize(text, lexing()).iter().map(|t| canonical_token(t, in_default)).collect();
    match groups(&tokens) {
        Some(nodes) => {
            let nodes = simplify(nodes);
            let mut flat = Vec::new();
            flatten(&nodes, &mut flat);
            spaced(&flat)
        }
        // Unbalanced parentheses: tokens as they are.
        None => spaced(&tokens),
    }
}

/// The tokens as a tree of parenthesised groups; `None` when they do not balance.
fn groups(tokens: &[Tok]) -> Option<Vec<Node>> {
    let mut stack: Vec<Vec<Node>> = vec![Vec::new()];
    for t in tokens {
        match t.kind {
            TokenKind::Open => stack.push(Vec::new()),
            TokenKind::Close => {
                let inner = stack.pop()?;
                stack.last_mut()?.push(Node::Group(inner));
            }
            _ => stack.last_mut()?.push(Node::Tok(t.clone())),
        }
    }
    if stack.len() == 1 { stack.pop() } else { None }
}

fn flatten(nodes: &[Node], out: &mut Vec<Tok>) {
    for node in nodes {
        match node {
            Node::Tok(t) => out.push(t.clone()),
            Node::Group(inner) => {
                out.push(Tok { kind: TokenKind::Open, text: "(".into(), keyword: false });
                flatten(inner, out);
                out.push(Tok { kind: TokenKind::Close, text: ")".into(), keyword: false });
            }
        }
    }
}

/// Keywords after which a `-` is a sign, not a subtraction, though they end no operand.
fn ends_operand(t: &Tok) -> bool {
    match t.kind {
        TokenKind::Word if t.keyword => {
            matches!(t.text.as_str(), "NULL" | "END" | "CURRENT_TIME" | "CURRENT_DATE" | "CURRENT_TIMESTAMP")
        }
        TokenKind::Word | TokenKind::QuotedIdentifier | TokenKind::String | TokenKind::Number => true,
        TokenKind::Parameter | TokenKind::Close => true,
        _ => false,
    }
}

/// Joins canonical tokens with canonical spacing.
fn spaced(tokens: &[Tok]) -> String {
    let mut out = String::new();
    let mut previous: Option<&Tok> = None;
    let mut sign_before = false;
    for t in tokens {
        let space = match (previous, t.kind) {
            (None, _) => false,
            (_, TokenKind::Close | TokenKind::Comma | TokenKind::Dot | TokenKind::Semicolon) => false,
            (Some(p), _) if matches!(p.kind, TokenKind::Open | TokenKind::Dot) => false,
            (Some(_), kind) if sign_before && kind != TokenKind::Operator => false,
            // A function call: a name (or a keyword used as one) right before `(`.
            (Some(p), TokenKind::Open) => {
                !(matches!(p.kind, TokenKind::QuotedIdentifier)
                    || (p.kind == TokenKind::Word
                        && (!p.keyword || matches!(p.text.as_str(), "CAST" | "REPLACE" | "RAISE" | "GLOB" | "LIKE"))))
            }
            _ => true,
        };
        // Never glue tokens into others: `-` `-` or `/` `*` into a comment, a number and a
        // dot into one number.
        let glued = (out.ends_with('-') && t.text.starts_with('-'))
            || (out.ends_with('/') && t.text.starts_with('*'))
            || (previous.is_some_and(|p| p.kind == TokenKind::Number) && t.kind == TokenKind::Dot)
            || (previous.is_some_and(|p| p.kind == TokenKind::Dot) && t.kind == TokenKind::Number);
        if space || glued {
            out.push(' ');
        }
        sign_before = t.kind == TokenKind::Operator
            && matches!(t.text.as_str(), "-" | "+" | "~")
            && previous.is_none_or(|p| !ends_operand(p));
        out.push_str(&t.text);
        previous = Some(t);
    }
    out
}

// ----- Redundant parentheses -------------------------------------------------------------

/// A token's part in an expression, for the precedence of the operators around a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// An operand, or part of one (a name, a literal, a call, a `CASE … END`).
    Operand,
    /// A group that is an operand in its own right: a candidate for removal.
    Parenthesised,
    /// A binary operator of this precedence (higher binds tighter).
    Binary(u8),
    /// A prefix operator (`-`, `NOT`).
    Prefix(u8),
    /// A postfix operator (`ISNULL`, `NOT NULL`, `COLLATE x`).
    Postfix(u8),
    /// A comma: a list of expressions.
    Comma,
}

/// The binding of a group no operator splits.
const ATOM: u8 = 13;

fn binary_precedence(t: &Tok) -> Option<u8> {
    match (t.kind, t.text.as_str()) {
        (TokenKind::Operator, "||" | "->" | "->>") => Some(10),
        (TokenKind::Operator, "*" | "/" | "%") => Some(9),
        (TokenKind::Operator, "+" | "-") => Some(8),
        (TokenKind::Operator, "&" | "|" | "<<" | ">>") => Some(6),
        (TokenKind::Word, "ESCAPE") => Some(7),
        (TokenKind::Operator, "<" | "<=" | ">" | ">=") => Some(5),
        // `==` and `!=` are rewritten to these already.
        (TokenKind::Operator, "=" | "<>") => Some(4),
        (TokenKind::Word, "IS" | "LIKE" | "GLOB" | "MATCH" | "REGEXP" | "BETWEEN" | "IN") if t.keyword => Some(4),
        (TokenKind::Word, "AND") if t.keyword => Some(2),
        (TokenKind::Word, "OR") if t.keyword => Some(1),
        _ => None,
    }
}

fn word(node: Option<&Node>, text: &str) -> bool {
    matches!(node, Some(Node::Tok(t)) if t.keyword && t.text == text)
}

/// The roles of a sequence's nodes, or `None` where the sequence is not an expression this
/// reading knows (a subquery, `CAST(x AS t)`, `DISTINCT`…): its groups are then kept.
fn roles(nodes: &[Node]) -> Option<Vec<Role>> {
    let mut roles = vec![Role::Operand; nodes.len()];
    let mut expect_operand = true;
    // After BETWEEN, the next AND is BETWEEN's, of BETWEEN's precedence.
    let mut between = false;
    let mut i = 0;
    while i < nodes.len() {
        let node = &nodes[i];
        if let Node::Tok(t) = node
            && t.kind == TokenKind::Comma
        {
            roles[i] = Role::Comma;
            expect_operand = true;
            i += 1;
            continue;
        }
        if expect_operand {
            match node {
                Node::Group(_) => {
                    roles[i] = Role::Parenthesised;
                    expect_operand = false;
                    i += 1;
                }
                Node::Tok(t) if t.kind == TokenKind::Operator && matches!(t.text.as_str(), "-" | "+" | "~") => {
                    roles[i] = Role::Prefix(12);
                    i += 1;
                }
                Node::Tok(t) if t.keyword && t.text == "NOT" => {
                    roles[i] = Role::Prefix(3);
                    i += 1;
                }
                Node::Tok(t) if t.keyword && t.text == "CASE" => {
                    // CASE … END is one operand; its inside is left as it is.
                    let mut depth = 0;
                    let mut j = i;
                    loop {
                        if word(nodes.get(j), "CASE") {
                            depth += 1;
                        } else if word(nodes.get(j), "END") {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        j += 1;
                        if j >= nodes.len() {
                            return None;
                        }
                    }
                    i = j + 1;
                    expect_operand = false;
                }
                Node::Tok(t) => {
                    let call = matches!(nodes.get(i + 1), Some(Node::Group(_)))
                        && (matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdentifier));
                    let operand = matches!(
                        t.kind,
                        TokenKind::Word
                            | TokenKind::QuotedIdentifier
                            | TokenKind::String
                            | TokenKind::Number
                            | TokenKind::Parameter
                    ) || (t.kind == TokenKind::Operator && t.text == "*");
                    if call {
                        // name(…), CAST(…), EXISTS (…): the group is the call's.
                        i += 2;
                    } else if operand && (!t.keyword || ends_operand(t)) {
                        i += 1;
                        // schema.table.column
                        while matches!(nodes.get(i), Some(Node::Tok(d)) if d.kind == TokenKind::Dot)
                            && matches!(nodes.get(i + 1), Some(Node::Tok(n)) if matches!(n.kind, TokenKind::Word | TokenKind::QuotedIdentifier))
                        {
                            i += 2;
                        }
                    } else {
                        return None;
                    }
                    expect_operand = false;
                }
            }
        } else {
            let Node::Tok(t) = node else { return None };
            if t.keyword && (t.text == "ISNULL" || t.text == "NOTNULL") {
                roles[i] = Role::Postfix(4);
                i += 1;
            } else if t.keyword && t.text == "NOT" && word(nodes.get(i + 1), "NULL") {
                roles[i] = Role::Postfix(4);
                roles[i + 1] = Role::Postfix(4);
                i += 2;
            } else if t.keyword && t.text == "COLLATE" {
                roles[i] = Role::Postfix(11);
                if i + 1 < nodes.len() {
                    roles[i + 1] = Role::Postfix(11);
                }
                i += 2;
            } else if t.keyword && t.text == "NOT" {
                // NOT IN / LIKE / GLOB / MATCH / REGEXP / BETWEEN
                roles[i] = Role::Binary(4);
                i += 1;
                let Some(Node::Tok(next)) = nodes.get(i) else { return None };
                if binary_precedence(next) != Some(4) || next.text == "IS" {
                    return None;
                }
                continue;
            } else if let Some(p) = binary_precedence(t) {
                roles[i] = Role::Binary(p);
                if t.keyword && t.text == "AND" && between {
                    roles[i] = Role::Binary(4);
                    between = false;
                }
                if t.keyword && t.text == "BETWEEN" {
                    between = true;
                }
                i += 1;
                if t.keyword && t.text == "IS" {
                    if word(nodes.get(i), "NOT") {
                        roles[i] = Role::Binary(4);
                        i += 1;
                    }
                    if word(nodes.get(i), "DISTINCT") && word(nodes.get(i + 1), "FROM") {
                        roles[i] = Role::Binary(4);
                        roles[i + 1] = Role::Binary(4);
                        i += 2;
                    }
                }
                if t.keyword && t.text == "IN" {
                    // IN (list) or IN table: an operand that is not an expression.
                    if i < nodes.len() {
                        roles[i] = Role::Operand;
                    }
                    i += 1;
                    continue;
                }
                expect_operand = true;
                continue;
            } else {
                return None;
            }
            continue;
        }
    }
    if expect_operand && !nodes.is_empty() { None } else { Some(roles) }
}

/// The loosest binding inside a group: the lowest precedence of its top-level operators.
fn binding(nodes: &[Node]) -> Option<u8> {
    let roles = roles(nodes)?;
    if roles.contains(&Role::Comma) || nodes.is_empty() {
        return None;
    }
    Some(
        roles
            .iter()
            .filter_map(|r| match r {
                Role::Binary(p) | Role::Prefix(p) | Role::Postfix(p) => Some(*p),
                _ => None,
            })
            .min()
            .unwrap_or(ATOM),
    )
}

/// Removes the parentheses precedence makes redundant, innermost first.
fn simplify(nodes: Vec<Node>) -> Vec<Node> {
    let nodes: Vec<Node> = nodes
        .into_iter()
        .map(|n| match n {
            Node::Group(inner) => Node::Group(simplify(inner)),
            other => other,
        })
        .collect();
    let Some(roles) = roles(&nodes) else { return nodes };
    let strength = |r: Option<&Role>| match r {
        Some(Role::Binary(p) | Role::Prefix(p) | Role::Postfix(p)) => *p,
        _ => 0,
    };
    let mut out = Vec::with_capacity(nodes.len());
    for (i, node) in nodes.into_iter().enumerate() {
        let removable = match (&node, roles[i]) {
            (Node::Group(inner), Role::Parenthesised) => binding(inner).is_some_and(|inner| {
                let left = if i > 0 { strength(roles.get(i - 1)) } else { 0 };
                let right = strength(roles.get(i + 1));
                inner > left.max(right)
            }),
            _ => false,
        };
        match node {
            Node::Group(inner) if removable => out.extend(inner),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_sorted_for_binary_search() {
        assert!(KEYWORDS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(KEYWORDS.len(), 147);
    }

    #[test]
    fn same_meaning_same_text() {
        let same = [
            ("price >= 0 AND qty < 1000", "((price >= 0) and (qty < 1000))"),
            ("price >= 0 AND qty < 1000", "(price>=0) AND (\"qty\"<1000)"),
            ("qty <> 7", "qty != 7"),
            ("a = 1", "a == 1"),
            ("a > 0", "((a>0))"),
            ("datetime('now')", "DATETIME('now')"),
            ("CURRENT_TIMESTAMP", "current_timestamp"),
            ("lower(note)", "LOWER( note )"),
            ("lower(note)", "lower((note))"),
            ("price * qty", "(price*qty)"),
            ("[child].[parent_id] IS NOT NULL", "\"child\".parent_id is not null"),
            ("-1", "(-1)"),
            ("-1", "- 1"),
            ("NOT a = b", "NOT (a = b)"),
            ("a BETWEEN 1 AND 5", "a between (1) and (5)"),
            ("x AND a BETWEEN 1 AND 2", "x and (a between 1 and 2)"),
            ("a IN (1, 2)", "a in ((1),2)"),
            ("name COLLATE nocase", "(name) collate NOCASE"),
            ("a IS NULL OR b > 0", "(a IS NULL) OR (b > 0)"),
            ("length(x) > 0 AND x NOT LIKE '% %'", "(length(x) > 0) AND (x NOT LIKE '% %')"),
            ("CASE WHEN a THEN 1 ELSE 0 END = 1", "(CASE WHEN a THEN 1 ELSE 0 END) = 1"),
            ("abs(-x) + 1", "(abs(- x)) + 1"),
        ];
        for (a, b) in same {
            assert_eq!(canonical_expression(a), canonical_expression(b), "{a} vs {b}");
        }
    }

    #[test]
    fn different_meaning_different_text() {
        let different = [
            ("a + b * c", "(a + b) * c"),
            ("a - b - c", "a - (b - c)"),
            ("NOT a AND b", "NOT (a AND b)"),
            ("a > 0", "a > 1"),
            ("'0'", "0"),
            ("'Abc'", "'abc'"),
            ("a OR b AND c", "(a OR b) AND c"),
            ("-(a + b)", "-a + b"),
            ("x = 'a' COLLATE nocase", "(x = 'a') COLLATE nocase"),
            ("a || b", "a | b"),
        ];
        for (a, b) in different {
            assert_ne!(canonical_expression(a), canonical_expression(b), "{a} vs {b}");
        }
    }

    #[test]
    fn canonical_text_is_readable_sql() {
        assert_eq!(
            canonical_expression("((\"Price\">=0)and([qty]!=7)) or \"key\" is null"),
            "price >= 0 AND qty <> 7 OR \"key\" IS NULL"
        );
        assert_eq!(canonical_expression("CAST( x as  TEXT )"), "CAST(x AS text)");
        assert_eq!(canonical_expression("coalesce(a,b,-1)"), "coalesce(a, b, -1)");
        assert_eq!(canonical_expression("exists (select 1)"), "EXISTS (SELECT 1)");
        assert_eq!(canonical_expression("(a, b) = (1, 2)"), "(a, b) = (1, 2)");
        assert_eq!(canonical_expression("x /* note */ > -- c\n 1"), "x > 1");
        // Unbalanced input is only re-spaced.
        assert_eq!(canonical_expression("(a > 0"), "(a > 0");
    }

    #[test]
    fn canonical_is_idempotent() {
        for text in
            ["((a>0) and (b<1))", "lower((x))", "-(1)", "a IN ((1), 2)", "x'ab' || \"y\"", "CASE x WHEN 1 THEN (2) END"]
        {
            let once = canonical_expression(text);
            assert_eq!(canonical_expression(&once), once, "{text}");
        }
    }

    #[test]
    fn defaults() {
        assert_eq!(canonical_default("'it''s'", "TEXT"), "'it''s'");
        assert_eq!(canonical_default("(0)", "INTEGER"), "0");
        assert_eq!(canonical_default("'-1.5'", "REAL"), "-1.5");
        assert_eq!(canonical_default("'1e3'", "NUMERIC"), "1e3");
        assert_eq!(canonical_default("'1a'", "INTEGER"), "'1a'");
        assert_eq!(canonical_default("x'ab'", "BLOB"), "X'AB'");
        assert_eq!(canonical_default("NULL", "TEXT"), "NULL");
    }

    #[test]
    fn types_and_collations() {
        assert_eq!(canonical_type("unsigned big int"), "UNSIGNED BIG INT");
        assert_eq!(canonical_type("\"text\""), "TEXT");
        assert_eq!(canonical_type(""), "");
        assert_eq!(canonical_collation("nocase"), "NOCASE");
        assert_eq!(canonical_collation("\"NoCase\""), "NOCASE");
    }

    proptest::proptest! {
        #[test]
        fn canonical_never_panics_and_is_stable(text in "[ a-cxX0-9()'\"`\\[\\]=<>!~|/%+*,.-]{0,30}|(NOT|AND|OR|IN|IS|NULL|CASE|END| )+") {
            let once = canonical_expression(&text);
            let twice = canonical_expression(&once);
            proptest::prop_assert_eq!(&twice, &once, "{}", text);
        }
    }
}
