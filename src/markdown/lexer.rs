//! Tokens of source code by language, for highlighting: one pass over the bytes with a small
//! table per language (its keywords, types, comment and string syntax) rather than a grammar.
//! It tells keywords, strings, comments, numbers, function and type names, tags and
//! attributes apart the way a reader's eye does, in a few microseconds a block, where a
//! grammar-based highlighter takes a hundred or more (see `highlight.rs`).

/// What a token is, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Plain,
    Keyword,
    String,
    Escape,
    Comment,
    Number,
    Function,
    Type,
    Tag,
    Attribute,
    Macro,
    Inserted,
    Deleted,
}

impl Kind {
    /// The CSS class of the kind, `None` for plain text.
    pub(super) fn class(self) -> Option<&'static str> {
        Some(match self {
            Kind::Plain => return None,
            Kind::Keyword => "hl-k",
            Kind::String => "hl-s",
            Kind::Escape => "hl-e",
            Kind::Comment => "hl-c",
            Kind::Number => "hl-n",
            Kind::Function => "hl-f",
            Kind::Type => "hl-t",
            Kind::Tag => "hl-g",
            Kind::Attribute => "hl-a",
            Kind::Macro => "hl-m",
            Kind::Inserted => "hl-i",
            Kind::Deleted => "hl-d",
        })
    }
}

/// How a language is read.
#[derive(Debug)]
pub(super) enum Syntax {
    /// Programming languages: identifiers, strings, comments, numbers.
    Code(&'static Code),
    /// HTML, XML and SVG.
    Markup,
    Css,
    Json,
    Yaml,
    /// TOML and INI.
    Toml,
    Diff,
}

/// A programming language's table.
#[derive(Debug)]
pub(super) struct Code {
    /// Sorted.
    keywords: &'static [&'static str],
    /// Built-in type names, sorted.
    types: &'static [&'static str],
    /// Literal and built-in values (`true`, `None`, `self`), sorted.
    constants: &'static [&'static str],
    /// Keywords after which a name is a function's (`fn`, `def`), sorted.
    function_definers: &'static [&'static str],
    /// Keywords after which a name is a type's (`struct`, `class`), sorted.
    type_definers: &'static [&'static str],
    line_comments: &'static [&'static str],
    block_comment: Option<(&'static str, &'static str)>,
    quotes: &'static [u8],
    /// Strings may span lines (else an unclosed one ends with its line).
    multiline_strings: bool,
    /// `"""…"""` and `'''…'''`.
    triple_quotes: bool,
    /// Letters that may open a string just before its quote (`r"…"`, `f'…'`).
    string_prefixes: &'static [u8],
    /// Rust: raw strings `r#"…"#`, lifetimes `'a`, attributes `#[…]`, macros `name!`.
    rust: bool,
    /// `@decorator`.
    decorators: bool,
    /// `$name` variables (shell, PHP).
    dollar_variables: bool,
    /// `$` may be part of a name (JavaScript).
    dollar_in_names: bool,
    /// Capitalized names are types.
    capital_types: bool,
    /// Keywords in any case (SQL).
    any_case: bool,
    /// The first word of a command is a function (shell).
    commands: bool,
    /// `#include` lines (C, C++).
    preprocessor: bool,
}

const CODE: Code = Code {
    keywords: &[],
    types: &[],
    constants: &[],
    function_definers: &[],
    type_definers: &[],
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    quotes: b"\"'",
    multiline_strings: false,
    triple_quotes: false,
    string_prefixes: b"",
    rust: false,
    decorators: false,
    dollar_variables: false,
    dollar_in_names: false,
    capital_types: true,
    any_case: false,
    commands: false,
    preprocessor: false,
};

#[rustfmt::skip]
static RUST: Code = Code {
    keywords: &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
        "pub", "ref", "return", "static", "struct", "super", "trait", "type", "union", "unsafe",
        "use", "where", "while", "yield",
    ],
    types: &[
        "bool", "char", "f32", "f64", "i128", "i16", "i32", "i64", "i8", "isize", "str", "u128",
        "u16", "u32", "u64", "u8", "usize",
    ],
    constants: &["false", "self", "true"],
    function_definers: &["fn"],
    type_definers: &["enum", "struct", "trait", "type", "union"],
    multiline_strings: true,
    string_prefixes: b"b",
    rust: true,
    quotes: b"\"",
    ..CODE
};

#[rustfmt::skip]
static PYTHON: Code = Code {
    keywords: &[
        "and", "as", "assert", "async", "await", "break", "case", "class", "continue", "def",
        "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
        "is", "lambda", "match", "nonlocal", "not", "or", "pass", "raise", "return", "try",
        "while", "with", "yield",
    ],
    types: &[
        "bool", "bytes", "dict", "float", "frozenset", "int", "list", "object", "set", "str",
        "tuple",
    ],
    constants: &["False", "None", "True", "cls", "self"],
    function_definers: &["def"],
    type_definers: &["class"],
    line_comments: &["#"],
    block_comment: None,
    triple_quotes: true,
    string_prefixes: b"bBfFrRuU",
    decorators: true,
    ..CODE
};

#[rustfmt::skip]
static JAVASCRIPT: Code = Code {
    keywords: &[
        "abstract", "as", "async", "await", "break", "case", "catch", "class", "const",
        "continue", "debugger", "declare", "default", "delete", "do", "else", "enum", "export",
        "extends", "finally", "for", "from", "function", "get", "if", "implements", "import",
        "in", "instanceof", "interface", "keyof", "let", "namespace", "new", "of", "private",
        "protected", "public", "readonly", "return", "satisfies", "set", "static", "super",
        "switch", "throw", "try", "type", "typeof", "var", "void", "while", "with", "yield",
    ],
    types: &[
        "any", "bigint", "boolean", "never", "number", "object", "string", "symbol", "unknown",
    ],
    constants: &[
        "Infinity", "NaN", "false", "null", "this", "true", "undefined",
    ],
    function_definers: &["function"],
    type_definers: &["class", "enum", "interface", "type"],
    quotes: b"\"'`",
    decorators: true,
    dollar_in_names: true,
    ..CODE
};

#[rustfmt::skip]
static GO: Code = Code {
    keywords: &[
        "break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough",
        "for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range",
        "return", "select", "struct", "switch", "type", "var",
    ],
    types: &[
        "any", "bool", "byte", "complex128", "complex64", "error", "float32", "float64", "int",
        "int16", "int32", "int64", "int8", "rune", "string", "uint", "uint16", "uint32",
        "uint64", "uint8", "uintptr",
    ],
    constants: &["false", "iota", "nil", "true"],
    function_definers: &["func"],
    type_definers: &["type"],
    quotes: b"\"'`",
    capital_types: false,
    ..CODE
};

#[rustfmt::skip]
static C: Code = Code {
    keywords: &[
        "alignas", "alignof", "auto", "break", "case", "catch", "class", "concept", "const",
        "const_cast", "constexpr", "continue", "decltype", "default", "delete", "do",
        "dynamic_cast", "else", "enum", "explicit", "export", "extern", "final", "for",
        "friend", "goto", "if", "inline", "mutable", "namespace", "new", "noexcept", "operator",
        "override", "private", "protected", "public", "register", "reinterpret_cast",
        "requires", "restrict", "return", "sizeof", "static", "static_assert", "static_cast",
        "struct", "switch", "template", "throw", "try", "typedef", "typeid", "typename",
        "union", "using", "virtual", "volatile", "while",
    ],
    types: &[
        "bool", "char", "double", "float", "int", "int16_t", "int32_t", "int64_t", "int8_t",
        "long", "short", "signed", "size_t", "ssize_t", "uint16_t", "uint32_t", "uint64_t",
        "uint8_t", "unsigned", "void", "wchar_t",
    ],
    constants: &["NULL", "false", "nullptr", "this", "true"],
    type_definers: &["class", "enum", "struct", "union"],
    capital_types: false,
    preprocessor: true,
    ..CODE
};

/// Java, Kotlin, C#, Scala, Dart, Swift: their keywords together, which rarely name
/// anything else in one of the others.
#[rustfmt::skip]
static JVM: Code = Code {
    keywords: &[
        "abstract", "actual", "as", "assert", "async", "await", "break", "case", "catch",
        "class", "companion", "const", "continue", "data", "default", "defer", "deinit",
        "delegate", "do", "else", "enum", "event", "expect", "explicit", "extends", "extension",
        "final", "finally", "for", "foreach", "fun", "func", "guard", "if", "implements",
        "implicit", "import", "in", "init", "inline", "instanceof", "interface", "internal",
        "is", "lateinit", "let", "lock", "match", "namespace", "native", "new", "object",
        "open", "operator", "out", "override", "package", "private", "protected", "protocol",
        "public", "readonly", "record", "ref", "repeat", "return", "sealed", "static", "struct",
        "super", "suspend", "switch", "synchronized", "throw", "throws", "trait", "transient",
        "try", "typealias", "typeof", "unsafe", "using", "val", "var", "virtual", "void",
        "volatile", "when", "where", "while", "with", "yield",
    ],
    types: &[
        "boolean", "byte", "char", "decimal", "double", "float", "int", "long", "short", "string",
    ],
    constants: &["false", "nil", "null", "self", "super", "this", "true"],
    function_definers: &["fun", "func"],
    type_definers: &[
        "class", "enum", "interface", "object", "protocol", "record", "struct", "trait",
    ],
    quotes: b"\"'",
    triple_quotes: true,
    decorators: true,
    ..CODE
};

#[rustfmt::skip]
static PHP: Code = Code {
    keywords: &[
        "abstract", "and", "as", "break", "case", "catch", "class", "clone", "const",
        "continue", "declare", "default", "do", "echo", "else", "elseif", "enum", "extends",
        "final", "finally", "fn", "for", "foreach", "function", "global", "if", "implements",
        "include", "instanceof", "interface", "match", "namespace", "new", "or", "print",
        "private", "protected", "public", "readonly", "require", "return", "static", "switch",
        "throw", "trait", "try", "use", "while", "yield",
    ],
    types: &["array", "bool", "float", "int", "mixed", "string", "void"],
    constants: &["false", "null", "true"],
    function_definers: &["function"],
    type_definers: &["class", "enum", "interface", "trait"],
    line_comments: &["//", "#"],
    dollar_variables: true,
    ..CODE
};

#[rustfmt::skip]
static RUBY: Code = Code {
    keywords: &[
        "alias", "and", "begin", "break", "case", "class", "def", "do", "else", "elsif", "end",
        "ensure", "for", "if", "in", "module", "next", "not", "or", "redo", "require", "rescue",
        "retry", "return", "then", "undef", "unless", "until", "when", "while", "yield",
    ],
    constants: &["false", "nil", "self", "true"],
    function_definers: &["def"],
    type_definers: &["class", "module"],
    line_comments: &["#"],
    block_comment: None,
    ..CODE
};

#[rustfmt::skip]
static LUA: Code = Code {
    keywords: &[
        "and", "break", "do", "else", "elseif", "end", "for", "function", "goto", "if", "in",
        "local", "not", "or", "repeat", "return", "then", "until", "while",
    ],
    constants: &["false", "nil", "self", "true"],
    function_definers: &["function"],
    line_comments: &["--"],
    block_comment: Some(("--[[", "]]")),
    capital_types: false,
    ..CODE
};

#[rustfmt::skip]
static SQL: Code = Code {
    keywords: &[
        "add", "all", "alter", "and", "as", "asc", "begin", "between", "by", "case", "check",
        "column", "commit", "constraint", "create", "cross", "default", "delete", "desc",
        "distinct", "drop", "else", "end", "exists", "foreign", "from", "full", "group",
        "having", "if", "in", "index", "inner", "insert", "into", "is", "join", "key", "left",
        "like", "limit", "not", "offset", "on", "or", "order", "outer", "primary", "references",
        "returning", "right", "rollback", "select", "set", "table", "then", "transaction",
        "union", "unique", "update", "values", "view", "when", "where", "with",
    ],
    types: &[
        "bigint", "blob", "boolean", "char", "date", "decimal", "float", "int", "integer",
        "json", "numeric", "real", "serial", "text", "timestamp", "uuid", "varchar",
    ],
    constants: &["false", "null", "true"],
    line_comments: &["--"],
    quotes: b"'\"",
    capital_types: false,
    any_case: true,
    ..CODE
};

#[rustfmt::skip]
static SHELL: Code = Code {
    keywords: &[
        "case", "do", "done", "elif", "else", "esac", "export", "fi", "for", "function", "if",
        "in", "local", "return", "select", "then", "until", "while",
    ],
    constants: &["false", "true"],
    function_definers: &["function"],
    line_comments: &["#"],
    block_comment: None,
    multiline_strings: true,
    dollar_variables: true,
    capital_types: false,
    commands: true,
    ..CODE
};

#[rustfmt::skip]
static DOCKERFILE: Code = Code {
    keywords: &[
        "add", "arg", "as", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck",
        "label", "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume",
        "workdir",
    ],
    line_comments: &["#"],
    block_comment: None,
    dollar_variables: true,
    capital_types: false,
    any_case: true,
    ..CODE
};

/// Every language, by the names an info string may give it.
#[rustfmt::skip]
pub(super) static LANGUAGES: &[(&[&str], Syntax)] = &[
    (&["rust", "rs"], Syntax::Code(&RUST)),
    (
        &["python", "py", "python3", "py3", "pyi"],
        Syntax::Code(&PYTHON),
    ),
    (
        &[
            "javascript", "js", "jsx", "mjs", "cjs", "node", "typescript", "ts", "tsx", "mts",
            "cts",
        ],
        Syntax::Code(&JAVASCRIPT),
    ),
    (&["go", "golang"], Syntax::Code(&GO)),
    (
        &[
            "c", "h", "cpp", "c++", "cc", "cxx", "hpp", "objc", "objective-c",
        ],
        Syntax::Code(&C),
    ),
    (
        &[
            "java", "kotlin", "kt", "kts", "csharp", "c#", "cs", "scala", "dart", "swift",
            "groovy", "gradle",
        ],
        Syntax::Code(&JVM),
    ),
    (&["php"], Syntax::Code(&PHP)),
    (&["ruby", "rb"], Syntax::Code(&RUBY)),
    (&["lua"], Syntax::Code(&LUA)),
    (
        &["sql", "postgresql", "postgres", "mysql", "sqlite"],
        Syntax::Code(&SQL),
    ),
    (
        &[
            "bash", "sh", "shell", "zsh", "fish", "console", "shellsession", "ksh",
        ],
        Syntax::Code(&SHELL),
    ),
    (
        &["dockerfile", "docker", "containerfile"],
        Syntax::Code(&DOCKERFILE),
    ),
    (
        &["json", "jsonc", "json5", "jsonl", "geojson"],
        Syntax::Json,
    ),
    (&["yaml", "yml"], Syntax::Yaml),
    (
        &["toml", "ini", "cfg", "conf", "editorconfig"],
        Syntax::Toml,
    ),
    (
        &[
            "html", "htm", "xhtml", "xml", "svg", "vue", "svelte", "rss", "atom",
        ],
        Syntax::Markup,
    ),
    (&["css", "scss", "less", "sass"], Syntax::Css),
    (&["diff", "patch"], Syntax::Diff),
];

/// The syntax of a language named in an info string, by name or extension, in any case.
pub(super) fn syntax(language: &str) -> Option<&'static Syntax> {
    let lower = language.to_ascii_lowercase();
    LANGUAGES
        .iter()
        .find(|(names, _)| names.contains(&lower.as_str()))
        .map(|(_, syntax)| syntax)
}

/// Splits `code` into tokens, handing each to `out` with its kind; the pieces put together
/// are `code`.
pub(super) fn tokens(syntax: &Syntax, code: &str, out: &mut dyn FnMut(&str, Kind)) {
    let mut lexer = Lexer {
        src: code,
        at: 0,
        out,
    };
    match syntax {
        Syntax::Code(table) => lexer.code(table),
        Syntax::Markup => lexer.markup(),
        Syntax::Css => lexer.css(),
        Syntax::Json => lexer.json(),
        Syntax::Yaml => lexer.yaml(),
        Syntax::Toml => lexer.toml(),
        Syntax::Diff => lexer.diff(),
    }
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether a sorted list holds a word; most words are in no list, and a look at the length
/// and first letter of each entry tells them apart faster than comparing text.
fn sorted_contains(list: &[&str], word: &str) -> bool {
    let (len, first) = (word.len(), word.as_bytes()[0]);
    list.iter()
        .any(|k| k.len() == len && k.as_bytes()[0] == first && *k == word)
}

struct Lexer<'s, 'o> {
    src: &'s str,
    at: usize,
    out: &'o mut dyn FnMut(&str, Kind),
}

impl<'s> Lexer<'s, '_> {
    fn rest(&self) -> &'s str {
        &self.src[self.at..]
    }

    fn byte(&self, offset: usize) -> Option<u8> {
        self.src.as_bytes().get(self.at + offset).copied()
    }

    /// Emits the next `len` bytes as one token (moved to a character boundary).
    fn emit(&mut self, len: usize, kind: Kind) {
        let mut end = (self.at + len).min(self.src.len());
        while !self.src.is_char_boundary(end) {
            end += 1;
        }
        if end > self.at {
            (self.out)(&self.src[self.at..end], kind);
        }
        self.at = end;
    }

    /// Emits up to (not including) the next `\n`, or to the end.
    fn emit_line(&mut self, kind: Kind) {
        let len = self.rest().find('\n').unwrap_or(self.rest().len());
        self.emit(len, kind);
    }

    /// Emits one character (or a run of spaces) as plain text.
    fn emit_plain_char(&mut self) {
        let rest = self.rest();
        let spaces = rest.len() - rest.trim_start_matches([' ', '\t', '\r']).len();
        let len = if spaces > 0 {
            spaces
        } else {
            rest.chars().next().map_or(1, char::len_utf8)
        };
        self.emit(len, Kind::Plain);
    }

    fn name_len(&self, dollar: bool) -> usize {
        self.rest()
            .bytes()
            .take_while(|&b| is_name(b) || (dollar && b == b'$'))
            .count()
    }

    fn number_len(&self) -> usize {
        let bytes = self.rest().as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let exponent_sign = (b == b'+' || b == b'-')
                && i > 0
                && matches!(bytes[i - 1], b'e' | b'E')
                && !self.rest().starts_with("0x");
            let decimal_point = b == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
            if is_name(b) || exponent_sign || decimal_point {
                i += 1;
            } else {
                break;
            }
        }
        i
    }

    /// A string whose opening (prefix and quote) is `open_len` bytes long, ended by `close`,
    /// with its escapes marked.
    fn string(&mut self, open_len: usize, close: &str, multiline: bool, escapes: bool) {
        let mut i = open_len;
        loop {
            let bytes = self.rest().as_bytes();
            if i >= bytes.len() || (!multiline && bytes[i] == b'\n') {
                self.emit(i, Kind::String);
                return;
            }
            if escapes && bytes[i] == b'\\' && i + 1 < bytes.len() {
                self.emit(i, Kind::String);
                let len = 1 + self.rest()[1..].chars().next().map_or(0, char::len_utf8);
                self.emit(len, Kind::Escape);
                i = 0;
                continue;
            }
            if bytes[i..].starts_with(close.as_bytes()) {
                self.emit(i + close.len(), Kind::String);
                return;
            }
            i += 1;
        }
    }

    fn code(&mut self, table: &Code) {
        let mut line_start = true;
        let mut command = table.commands;
        let mut definer: Option<Kind> = None;
        while self.at < self.src.len() {
            let rest = self.rest();
            let b = rest.as_bytes()[0];
            if b == b'\n' {
                self.emit(1, Kind::Plain);
                line_start = true;
                command = table.commands;
                continue;
            }
            if b == b' ' || b == b'\t' || b == b'\r' {
                self.emit_plain_char();
                continue;
            }
            let at_line_start = std::mem::replace(&mut line_start, false);
            // A shell prompt.
            if table.commands && at_line_start && rest.starts_with("$ ") {
                self.emit(2, Kind::Plain);
                continue;
            }
            if let Some((open, close)) = table
                .block_comment
                .filter(|(o, _)| o.as_bytes()[0] == b && rest.starts_with(o))
            {
                let len = rest[open.len()..]
                    .find(close)
                    .map_or(rest.len(), |end| open.len() + end + close.len());
                self.emit(len, Kind::Comment);
                continue;
            }
            if table
                .line_comments
                .iter()
                .any(|c| c.as_bytes()[0] == b && rest.starts_with(c))
                && !(b == b'#' && table.dollar_variables && !at_line_start && self.prev_is_name())
            {
                self.emit_line(Kind::Comment);
                continue;
            }
            if table.preprocessor && at_line_start && b == b'#' {
                self.emit_line(Kind::Macro);
                continue;
            }
            if table.rust && b == b'#' && (rest.starts_with("#[") || rest.starts_with("#![")) {
                let mut depth = 0;
                let mut len = rest.len();
                for (i, c) in rest.bytes().enumerate() {
                    match c {
                        b'[' => depth += 1,
                        b']' => {
                            depth -= 1;
                            if depth == 0 {
                                len = i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                self.emit(len, Kind::Macro);
                continue;
            }
            if table.decorators && b == b'@' && self.byte(1).is_some_and(is_name_start) {
                let len = 1 + rest[1..]
                    .bytes()
                    .take_while(|&c| is_name(c) || c == b'.')
                    .count();
                self.emit(len, Kind::Macro);
                continue;
            }
            if table.dollar_variables && b == b'$' {
                let len = match self.byte(1) {
                    Some(b'{') => rest.find('}').map_or(1, |end| end + 1),
                    Some(c) if is_name(c) => {
                        1 + rest[1..].bytes().take_while(|&c| is_name(c)).count()
                    }
                    Some(b'@' | b'#' | b'?' | b'*' | b'!' | b'$') => 2,
                    _ => 1,
                };
                self.emit(len, Kind::Attribute);
                command = false;
                continue;
            }
            if let Some(len) = self.string_start(table) {
                let quote = &rest[len - 1..len];
                if table.triple_quotes && rest[len - 1..].starts_with(&quote.repeat(3)) {
                    let close = quote.repeat(3);
                    self.string(len + 2, &close, true, quote != "`");
                } else {
                    let raw = len > 1
                        && rest.as_bytes()[..len - 1]
                            .iter()
                            .any(|c| *c == b'r' || *c == b'R');
                    let multiline = table.multiline_strings || quote == "`";
                    self.string(len, quote, multiline, !raw);
                }
                command = false;
                continue;
            }
            if table.rust {
                if let Some(len) = self.rust_raw_string() {
                    self.emit(len, Kind::String);
                    continue;
                }
                if b == b'\'' {
                    self.rust_quote();
                    continue;
                }
            }
            if b == b'\'' && !table.quotes.contains(&b'\'') {
                self.emit(1, Kind::Plain);
                continue;
            }
            if b.is_ascii_digit() {
                let len = self.number_len();
                self.emit(len, Kind::Number);
                continue;
            }
            if is_name_start(b) || (table.dollar_in_names && b == b'$') {
                let len = self.name_len(table.dollar_in_names);
                let word = &rest[..len];
                let kind = self.name_kind(table, word, len, &mut definer, command);
                if table.commands && (kind == Kind::Function || kind == Kind::Keyword) {
                    command = kind == Kind::Keyword;
                }
                let len = if kind == Kind::Macro { len + 1 } else { len };
                self.emit(len, kind);
                continue;
            }
            if table.commands {
                command = matches!(b, b'|' | b';' | b'&' | b'(' | b'{' | b'}');
            }
            self.emit_plain_char();
        }
    }

    fn prev_is_name(&self) -> bool {
        self.src.as_bytes()[..self.at]
            .last()
            .is_some_and(|&c| !c.is_ascii_whitespace())
    }

    /// The length of a string's opening (prefix letters and quote), when one starts here.
    fn string_start(&self, table: &Code) -> Option<usize> {
        let bytes = self.rest().as_bytes();
        let prefix = bytes
            .iter()
            .take(2)
            .take_while(|b| table.string_prefixes.contains(b))
            .count();
        if prefix > 0 && self.prev_is_name_char() {
            return None;
        }
        (0..=prefix)
            .find(|&p| bytes.get(p).is_some_and(|q| table.quotes.contains(q)))
            .filter(|&p| p == 0 || bytes[..p].iter().all(|b| table.string_prefixes.contains(b)))
            .map(|p| p + 1)
    }

    fn prev_is_name_char(&self) -> bool {
        self.src.as_bytes()[..self.at]
            .last()
            .is_some_and(|&c| is_name(c))
    }

    /// `r"…"`, `r#"…"#`, `br##"…"##`: their length.
    fn rust_raw_string(&self) -> Option<usize> {
        if self.prev_is_name_char() {
            return None;
        }
        let rest = self.rest();
        let after_b = rest.strip_prefix('b').unwrap_or(rest);
        let after_r = after_b.strip_prefix('r')?;
        let hashes = after_r.bytes().take_while(|&b| b == b'#').count();
        if after_r.as_bytes().get(hashes) != Some(&b'"') {
            return None;
        }
        let close = format!("\"{}", "#".repeat(hashes));
        let body_start = rest.len() - after_r.len() + hashes + 1;
        Some(
            rest[body_start..]
                .find(&close)
                .map_or(rest.len(), |end| body_start + end + close.len()),
        )
    }

    /// A Rust `'`: a character (`'a'`, `'\n'`) or a lifetime (`'a`).
    fn rust_quote(&mut self) {
        let rest = self.rest();
        let mut chars = rest[1..].chars();
        match (chars.next(), chars.next()) {
            (Some('\\'), _) => self.string(1, "'", false, true),
            (Some(c), Some('\'')) => self.emit(1 + c.len_utf8() + 1, Kind::String),
            (Some(c), _) if c.is_alphabetic() || c == '_' => {
                let len = 1 + rest[1..].bytes().take_while(|&b| is_name(b)).count();
                self.emit(len, Kind::Attribute);
            }
            _ => self.emit(1, Kind::Plain),
        }
    }

    fn name_kind(
        &self,
        table: &Code,
        word: &str,
        len: usize,
        definer: &mut Option<Kind>,
        command: bool,
    ) -> Kind {
        let lower;
        let key = if table.any_case {
            lower = word.to_ascii_lowercase();
            lower.as_str()
        } else {
            word
        };
        let after = self.rest()[len..].trim_start_matches([' ', '\t']);
        if sorted_contains(table.keywords, key) {
            *definer = if sorted_contains(table.function_definers, key) {
                Some(Kind::Function)
            } else if sorted_contains(table.type_definers, key) {
                Some(Kind::Type)
            } else {
                None
            };
            return Kind::Keyword;
        }
        if let Some(kind) = definer.take() {
            return kind;
        }
        if table.rust && after.starts_with('!') && !after.starts_with("!=") {
            return Kind::Macro;
        }
        if sorted_contains(table.constants, key) {
            return Kind::Number;
        }
        if sorted_contains(table.types, key) {
            return Kind::Type;
        }
        let first = word.as_bytes()[0];
        if table.capital_types && first.is_ascii_uppercase() {
            let all_caps = word.bytes().all(|b| !b.is_ascii_lowercase());
            return if all_caps && len > 1 {
                Kind::Number
            } else {
                Kind::Type
            };
        }
        if command || after.starts_with('(') {
            return Kind::Function;
        }
        Kind::Plain
    }

    fn markup(&mut self) {
        while self.at < self.src.len() {
            let rest = self.rest();
            if rest.starts_with("<!--") {
                let len = rest.find("-->").map_or(rest.len(), |end| end + 3);
                self.emit(len, Kind::Comment);
            } else if rest.starts_with("<!") || rest.starts_with("<?") {
                let len = rest.find('>').map_or(rest.len(), |end| end + 1);
                self.emit(len, Kind::Macro);
            } else if rest.starts_with('<')
                && rest[1..]
                    .bytes()
                    .next()
                    .is_some_and(|b| is_name_start(b) || b == b'/')
            {
                self.tag();
            } else if let Some(entity) = rest.strip_prefix('&') {
                let len = entity
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
                    .filter(|&end| entity[end..].starts_with(';'))
                    .map_or(1, |end| end + 2);
                self.emit(len, if len > 1 { Kind::Escape } else { Kind::Plain });
            } else {
                let len = rest
                    .char_indices()
                    .skip(1)
                    .find(|&(_, c)| c == '<' || c == '&')
                    .map_or(rest.len(), |(i, _)| i);
                self.emit(len, Kind::Plain);
            }
        }
    }

    /// `<name attr="value">` or `</name>`.
    fn tag(&mut self) {
        let open = if self.rest().starts_with("</") { 2 } else { 1 };
        self.emit(open, Kind::Plain);
        let len = self
            .rest()
            .bytes()
            .take_while(|&b| is_name(b) || b == b'-' || b == b':' || b == b'.')
            .count();
        self.emit(len, Kind::Tag);
        while self.at < self.src.len() {
            let rest = self.rest();
            let b = rest.as_bytes()[0];
            if b == b'>' {
                self.emit(1, Kind::Plain);
                return;
            }
            if rest.starts_with("/>") {
                self.emit(2, Kind::Plain);
                return;
            }
            if b == b'"' || b == b'\'' {
                let quote = &rest[..1];
                let len = rest[1..].find(quote).map_or(rest.len(), |end| end + 2);
                self.emit(len, Kind::String);
            } else if is_name_start(b) || b == b'@' || b == b':' {
                let len = rest
                    .bytes()
                    .take_while(|&c| !c.is_ascii_whitespace() && !matches!(c, b'=' | b'>' | b'/'))
                    .count();
                self.emit(len, Kind::Attribute);
            } else {
                self.emit_plain_char();
            }
        }
    }

    fn css(&mut self) {
        let mut depth = 0usize;
        while self.at < self.src.len() {
            let rest = self.rest();
            let b = rest.as_bytes()[0];
            match b {
                _ if rest.starts_with("/*") => {
                    let len = rest.find("*/").map_or(rest.len(), |end| end + 2);
                    self.emit(len, Kind::Comment);
                }
                _ if rest.starts_with("//") => self.emit_line(Kind::Comment),
                b'"' | b'\'' => self.string(1, &rest[..1], false, true),
                b'{' => {
                    depth += 1;
                    self.emit(1, Kind::Plain);
                }
                b'}' => {
                    depth = depth.saturating_sub(1);
                    self.emit(1, Kind::Plain);
                }
                b'@' => {
                    let len = 1 + self.rest()[1..]
                        .bytes()
                        .take_while(|&c| is_name(c) || c == b'-')
                        .count();
                    self.emit(len, Kind::Keyword);
                }
                b'!' if rest.starts_with("!important") => self.emit(10, Kind::Keyword),
                b'#' if depth > 0 && self.declaration_value() => {
                    let len = 1 + rest[1..]
                        .bytes()
                        .take_while(u8::is_ascii_alphanumeric)
                        .count();
                    self.emit(len, Kind::Number);
                }
                b'.' | b'#' if self.byte(1).is_some_and(|c| is_name_start(c) || c == b'-') => {
                    let len = 1 + rest[1..]
                        .bytes()
                        .take_while(|&c| is_name(c) || c == b'-')
                        .count();
                    self.emit(len, Kind::Type);
                }
                _ if b.is_ascii_digit()
                    || (b == b'.' && self.byte(1).is_some_and(|c| c.is_ascii_digit())) =>
                {
                    let len = rest
                        .bytes()
                        .take_while(|&c| c.is_ascii_alphanumeric() || c == b'.' || c == b'%')
                        .count();
                    self.emit(len, Kind::Number);
                }
                _ if is_name_start(b) || b == b'-' => {
                    let len = rest
                        .bytes()
                        .take_while(|&c| is_name(c) || c == b'-')
                        .count();
                    let after = rest[len..].trim_start();
                    let kind = if after.starts_with('(') {
                        Kind::Function
                    } else if depth > 0 && after.starts_with(':') && !self.declaration_value() {
                        Kind::Attribute
                    } else if depth > 0 && self.declaration_value() {
                        Kind::Plain
                    } else {
                        Kind::Tag
                    };
                    self.emit(len, kind);
                }
                _ => self.emit_plain_char(),
            }
        }
    }

    /// Inside a declaration's value: a `:` comes after the last `{` or `;` before here.
    fn declaration_value(&self) -> bool {
        let before = &self.src[..self.at];
        let start = before.rfind(['{', ';', '\n']).map_or(0, |i| i + 1);
        before[start..].contains(':')
    }

    fn json(&mut self) {
        while self.at < self.src.len() {
            let rest = self.rest();
            let b = rest.as_bytes()[0];
            if b == b'"' {
                let len = string_len(rest, b'"');
                let key = rest[len..].trim_start().starts_with(':');
                if key {
                    self.emit(len, Kind::Attribute);
                } else {
                    self.string(1, "\"", false, true);
                }
            } else if rest.starts_with("//") {
                self.emit_line(Kind::Comment);
            } else if b == b'-' || b.is_ascii_digit() {
                let len = 1 + rest[1..]
                    .bytes()
                    .take_while(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'+' | b'-'))
                    .count();
                self.emit(len, Kind::Number);
            } else if is_name_start(b) {
                let len = self.name_len(false);
                self.emit(len, Kind::Number);
            } else {
                self.emit_plain_char();
            }
        }
    }

    fn yaml(&mut self) {
        while self.at < self.src.len() {
            let rest = self.rest();
            let line_len = rest.find('\n').map_or(rest.len(), |i| i + 1);
            let line = &rest[..line_len];
            let body = line.trim_start_matches([' ', '\t']);
            let indent = line_len - body.len();
            self.emit(indent, Kind::Plain);
            let mut body = body;
            if body.starts_with("---") || body.starts_with("...") {
                self.emit_line(Kind::Keyword);
                self.emit_newline();
                continue;
            }
            while let Some(item) = body.strip_prefix("- ") {
                self.emit(2, Kind::Plain);
                body = item;
            }
            if body.starts_with('#') {
                self.emit_line(Kind::Comment);
                self.emit_newline();
                continue;
            }
            if let Some(key_len) = yaml_key_len(body) {
                self.emit(key_len, Kind::Attribute);
                body = &body[key_len..];
            }
            // The rest of the line: a value, perhaps with a comment.
            let value_len = body.find('\n').unwrap_or(body.len());
            self.yaml_value(&body[..value_len]);
            self.emit_newline();
        }
    }

    fn emit_newline(&mut self) {
        if self.rest().starts_with('\n') {
            self.emit(1, Kind::Plain);
        }
    }

    fn yaml_value(&mut self, value: &str) {
        let comment = value.find(" #").unwrap_or(value.len());
        let (value, rest_len) = (&value[..comment], value.len() - comment);
        let trimmed = value.trim();
        let lead = value.len() - value.trim_start().len();
        self.emit(lead, Kind::Plain);
        let kind = match trimmed {
            "" => Kind::Plain,
            "true" | "false" | "null" | "~" | "yes" | "no" => Kind::Number,
            t if t.starts_with('&') || t.starts_with('*') => Kind::Macro,
            t if t.starts_with('|') || t.starts_with('>') || t.starts_with(['{', '[']) => {
                Kind::Plain
            }
            t if t.parse::<f64>().is_ok() => Kind::Number,
            _ => Kind::String,
        };
        self.emit(trimmed.len(), kind);
        self.emit(value.len() - lead - trimmed.len(), Kind::Plain);
        self.emit(rest_len, Kind::Comment);
    }

    fn toml(&mut self) {
        let mut line_start = true;
        while self.at < self.src.len() {
            let rest = self.rest();
            let b = rest.as_bytes()[0];
            if b == b'\n' {
                self.emit(1, Kind::Plain);
                line_start = true;
                continue;
            }
            if b == b' ' || b == b'\t' || b == b'\r' {
                self.emit_plain_char();
                continue;
            }
            let first = std::mem::replace(&mut line_start, false);
            if b == b'#' || b == b';' {
                self.emit_line(Kind::Comment);
            } else if first && b == b'[' {
                let len = rest.find(']').map_or(rest.len(), |end| {
                    end + 1 + usize::from(rest[end + 1..].starts_with(']'))
                });
                self.emit(len, Kind::Type);
            } else if first && (is_name_start(b) || b == b'"' || b == b'\'') {
                let len = rest
                    .find('=')
                    .map_or(rest.len(), |end| rest[..end].trim_end().len());
                let len = len.min(rest.find('\n').unwrap_or(rest.len()));
                self.emit(len, Kind::Attribute);
            } else if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
                let close = &rest[..3];
                self.string(3, close, true, close == "\"\"\"");
            } else if b == b'"' || b == b'\'' {
                self.string(1, &rest[..1], false, b == b'"');
            } else if b.is_ascii_digit()
                || ((b == b'-' || b == b'+') && self.byte(1).is_some_and(|c| c.is_ascii_digit()))
            {
                let len = 1 + rest[1..]
                    .bytes()
                    .take_while(|&c| {
                        c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b':' | b'_' | b'+')
                    })
                    .count();
                self.emit(len, Kind::Number);
            } else if is_name_start(b) {
                let len = self.name_len(false);
                let kind = match &rest[..len] {
                    "true" | "false" | "inf" | "nan" => Kind::Number,
                    _ => Kind::Plain,
                };
                self.emit(len, kind);
            } else {
                self.emit_plain_char();
            }
        }
    }

    fn diff(&mut self) {
        while self.at < self.src.len() {
            let rest = self.rest();
            let kind = if rest.starts_with("+++") || rest.starts_with("---") {
                Kind::Macro
            } else if rest.starts_with('+') || rest.starts_with('>') {
                Kind::Inserted
            } else if rest.starts_with('-') || rest.starts_with('<') {
                Kind::Deleted
            } else if rest.starts_with("@@") {
                Kind::Keyword
            } else if rest.starts_with("diff ") || rest.starts_with("index ") {
                Kind::Macro
            } else {
                Kind::Plain
            };
            self.emit_line(kind);
            self.emit_newline();
        }
    }
}

/// The length of a quoted string at the start of `text`, quotes included.
fn string_len(text: &str, quote: u8) -> usize {
    let bytes = text.as_bytes();
    let mut i = 1;
    while i < bytes.len() && bytes[i] != quote && bytes[i] != b'\n' {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    (i + 1).min(bytes.len())
}

/// The length of a YAML mapping key at the start of a line's text, up to and including its
/// `:`, when the line has one.
fn yaml_key_len(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let end = match bytes.first()? {
        b'"' | b'\'' => string_len(line, bytes[0]),
        _ => line
            .find(": ")
            .or_else(|| line.trim_end().strip_suffix(':').map(str::len))?,
    };
    let key = &line[..end];
    if key.is_empty() || key.contains(" #") || key.starts_with(['{', '[', '&', '*', '|', '>']) {
        return None;
    }
    line[end..].starts_with(':').then_some(end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(language: &str, code: &str) -> Vec<(String, Kind)> {
        let mut found = Vec::new();
        let mut all = String::new();
        tokens(syntax(language).unwrap(), code, &mut |text, kind| {
            all.push_str(text);
            if kind != Kind::Plain {
                found.push((text.to_string(), kind));
            }
        });
        assert_eq!(all, code, "the tokens put together are the code");
        found
    }

    fn of(list: &[(String, Kind)], kind: Kind) -> Vec<&str> {
        list.iter()
            .filter(|(_, k)| *k == kind)
            .map(|(t, _)| t.as_str())
            .collect()
    }

    #[test]
    fn keyword_lists_are_sorted_for_binary_search() {
        for (names, syntax) in LANGUAGES {
            if let Syntax::Code(table) = syntax {
                for list in [
                    table.keywords,
                    table.types,
                    table.constants,
                    table.function_definers,
                    table.type_definers,
                ] {
                    assert!(list.windows(2).all(|w| w[0] < w[1]), "{names:?}: {list:?}");
                }
            }
        }
    }

    #[test]
    fn rust_tokens() {
        let t = kinds(
            "rust",
            "#[derive(Debug)]\npub struct Skin<'a> { name: &'a str }\nfn main() {\n    let c = 'x'; // note\n    println!(\"{}\\n\", r#\"raw\"#, 0.5e-3, Some(MAX));\n}\n",
        );
        assert_eq!(of(&t, Kind::Macro), ["#[derive(Debug)]", "println!"]);
        assert_eq!(of(&t, Kind::Keyword), ["pub", "struct", "fn", "let"]);
        assert_eq!(of(&t, Kind::Type), ["Skin", "str", "Some"]);
        assert_eq!(of(&t, Kind::Attribute), ["'a", "'a"]);
        assert_eq!(of(&t, Kind::Function), ["main"]);
        assert_eq!(of(&t, Kind::String), ["'x'", "\"{}", "\"", "r#\"raw\"#"]);
        assert_eq!(of(&t, Kind::Escape), ["\\n"]);
        assert_eq!(of(&t, Kind::Comment), ["// note"]);
        assert_eq!(of(&t, Kind::Number), ["0.5e-3", "MAX"]);
    }

    #[test]
    fn python_tokens() {
        let t = kinds(
            "py",
            "@cache\ndef minutes(layers: int) -> int:\n    \"\"\"Doc\nstring.\"\"\"\n    return f'{layers}' if self else None  # done\n",
        );
        assert_eq!(of(&t, Kind::Macro), ["@cache"]);
        assert_eq!(of(&t, Kind::Keyword), ["def", "return", "if", "else"]);
        assert_eq!(of(&t, Kind::Function), ["minutes"]);
        assert_eq!(of(&t, Kind::Type), ["int", "int"]);
        assert_eq!(
            of(&t, Kind::String),
            ["\"\"\"Doc\nstring.\"\"\"", "f'{layers}'"]
        );
        assert_eq!(of(&t, Kind::Number), ["self", "None"]);
        assert_eq!(of(&t, Kind::Comment), ["# done"]);
    }

    #[test]
    fn javascript_shell_and_data_tokens() {
        let t = kinds("js", "const $el = document.querySelector(`#x`); // find\n");
        assert_eq!(of(&t, Kind::Keyword), ["const"]);
        assert_eq!(of(&t, Kind::Function), ["querySelector"]);
        assert_eq!(of(&t, Kind::String), ["`#x`"]);
        let t = kinds(
            "sh",
            "$ cargo build --release # fast\nif [ -n \"$HOME\" ]; then echo $HOME; fi\n",
        );
        assert_eq!(of(&t, Kind::Function), ["cargo", "echo"]);
        assert_eq!(of(&t, Kind::Attribute), ["$HOME"]);
        assert_eq!(of(&t, Kind::Comment), ["# fast"]);
        assert_eq!(of(&t, Kind::Keyword), ["if", "then", "fi"]);
        let t = kinds("json", "{\"a\": [1, true, \"x\"]}");
        assert_eq!(of(&t, Kind::Attribute), ["\"a\""]);
        assert_eq!(of(&t, Kind::Number), ["1", "true"]);
        let t = kinds(
            "yaml",
            "# c\nname: serum\nlist:\n  - 3\n  - key: \"v\" # why\n",
        );
        assert_eq!(of(&t, Kind::Attribute), ["name:", "list:", "key:"]);
        assert_eq!(of(&t, Kind::String), ["serum", "\"v\""]);
        assert_eq!(of(&t, Kind::Comment), ["# c", " # why"]);
        let t = kinds("toml", "[package]\nname = \"serum\" # n\nedition = 2024\n");
        assert_eq!(of(&t, Kind::Type), ["[package]"]);
        assert_eq!(of(&t, Kind::Attribute), ["name", "edition"]);
        assert_eq!(of(&t, Kind::Number), ["2024"]);
    }

    #[test]
    fn markup_css_and_diff_tokens() {
        let t = kinds("html", "<!-- c --><a href=\"/x\" hidden>A &amp; B</a>");
        assert_eq!(of(&t, Kind::Comment), ["<!-- c -->"]);
        assert_eq!(of(&t, Kind::Tag), ["a", "a"]);
        assert_eq!(of(&t, Kind::Attribute), ["href", "hidden"]);
        assert_eq!(of(&t, Kind::String), ["\"/x\""]);
        assert_eq!(of(&t, Kind::Escape), ["&amp;"]);
        let t = kinds(
            "css",
            "@media print { .page > p { color: #333; margin: 0 1.5rem !important } }",
        );
        assert_eq!(of(&t, Kind::Keyword), ["@media", "!important"]);
        assert_eq!(of(&t, Kind::Type), [".page"]);
        assert_eq!(of(&t, Kind::Tag), ["print", "p"]);
        assert_eq!(of(&t, Kind::Attribute), ["color", "margin"]);
        assert_eq!(of(&t, Kind::Number), ["#333", "0", "1.5rem"]);
        let t = kinds("diff", "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n same\n");
        assert_eq!(of(&t, Kind::Deleted), ["-old"]);
        assert_eq!(of(&t, Kind::Inserted), ["+new"]);
    }

    #[test]
    fn odd_input_never_panics_and_loses_nothing() {
        for (names, _) in LANGUAGES {
            for code in [
                "\"unclosed",
                "'",
                "r#\"",
                "/* open",
                "<a",
                "$",
                "@",
                "#[",
                "é'ü'\\",
                "\\",
                "'\\",
                "b'",
                "x = \"\"\"",
                "<!--",
                "- : :",
                "key: \"",
                "[",
                "\u{1F600}'a",
            ] {
                kinds(names[0], code);
            }
        }
    }
}
