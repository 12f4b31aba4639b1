//! MySQL/MariaDB and SQLite statements read with `sqlparser` (feature `lint-sql`). Each
//! statement the shared splitter cut is parsed on its own, so one the parser cannot read
//! costs only itself: it is reported as `unparsed-statement` and checked by its keywords.

use super::RawFinding;
use super::alter::{self, Algorithm, AlterTable, DefaultValue, Lock, NewColumn, NewTables, Op};
use crate::dialect::DatabaseKind;
use crate::sql::classify::leading_words;
use crate::sql::split::Statement;
use sqlparser::ast::{
    AlterColumnOperation, AlterTableAlgorithm, AlterTableLock, AlterTableOperation, ColumnDef, ColumnOption, Expr,
    GeneratedExpressionMode, TableConstraint, UnaryOperator, Value,
};
use sqlparser::dialect::{Dialect, MySqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

/// Runs the parser-backed rules of `kind` on each statement.
pub(super) fn check(
    kind: DatabaseKind,
    statements: &[Statement<'_>],
    foreign_keys_off: bool,
    raw: &mut Vec<RawFinding>,
) {
    let lexing = kind.dialect().lexing();
    let dialect: &dyn Dialect = match kind {
        DatabaseKind::MySql => &MySqlDialect {},
        _ => &SQLiteDialect {},
    };
    let mut new_tables = NewTables::new(foreign_keys_off);
    for statement in statements {
        check_one(kind, dialect, statement, &new_tables, raw);
        new_tables.record(statement.sql, &lexing);
    }
}

fn check_one(
    kind: DatabaseKind,
    dialect: &dyn Dialect,
    statement: &Statement<'_>,
    new_tables: &NewTables,
    raw: &mut Vec<RawFinding>,
) {
    let lexing = kind.dialect().lexing();
    {
        // PRAGMAs are read by keyword (sqlparser rejects `= ON`/`= OFF`).
        if leading_words(statement.sql, &lexing).next().is_some_and(|w| w.eq_ignore_ascii_case("pragma")) {
            return;
        }
        let parsed = Parser::new(dialect).try_with_sql(statement.sql).and_then(|mut p| p.parse_statements());
        let alter = match parsed {
            Ok(list) if list.len() == 1 => match &list[0] {
                sqlparser::ast::Statement::AlterTable(alter) => Some(from_tree(
                    match alter.name.0.last() {
                        Some(sqlparser::ast::ObjectNamePart::Identifier(ident)) => ident.value.to_lowercase(),
                        _ => String::new(),
                    },
                    &alter.operations,
                )),
                _ => None,
            },
            Ok(_) | Err(_) => {
                let error = match parsed {
                    Err(e) => e.to_string(),
                    Ok(_) => "it reads as several statements".to_owned(),
                };
                raw.push(RawFinding {
                    help: Some("check it by hand; the rules only read its keywords".into()),
                    ..RawFinding::new(
                        "unparsed-statement",
                        statement,
                        format!("the {} parser cannot read this statement ({error})", kind.name()),
                    )
                });
                AlterTable::from_tokens(statement.sql, &lexing)
            }
        };
        match (kind, alter) {
            (DatabaseKind::MySql, Some(alter)) => alter::mysql_rules(&alter, new_tables, statement, raw),
            (DatabaseKind::MySql, None) => alter::mysql_statement_by_keywords(statement, &lexing, raw),
            (_, Some(alter)) => alter::sqlite_rules(&alter, new_tables, statement, raw),
            (_, None) => {}
        }
    }
}

fn from_tree(table: String, operations: &[AlterTableOperation]) -> AlterTable {
    let mut alter = AlterTable { table, ops: Vec::new(), algorithm: None, lock: None };
    for operation in operations {
        let op = match operation {
            AlterTableOperation::Algorithm { algorithm, .. } => {
                alter.algorithm = Some(match algorithm {
                    AlterTableAlgorithm::Instant => Algorithm::Instant,
                    AlterTableAlgorithm::Inplace => Algorithm::Inplace,
                    AlterTableAlgorithm::Copy => Algorithm::Copy,
                    AlterTableAlgorithm::Default => Algorithm::Default,
                });
                continue;
            }
            AlterTableOperation::Lock { lock, .. } => {
                alter.lock = Some(match lock {
                    AlterTableLock::None => Lock::None,
                    AlterTableLock::Shared => Lock::Shared,
                    AlterTableLock::Exclusive => Lock::Exclusive,
                    AlterTableLock::Default => Lock::Default,
                });
                continue;
            }
            AlterTableOperation::AddConstraint { constraint, .. } => match constraint {
                TableConstraint::PrimaryKey(_) | TableConstraint::PrimaryKeyUsingIndex(_) => Op::AddPrimaryKey,
                TableConstraint::ForeignKey(_) => Op::AddForeignKey,
                TableConstraint::Check(_) => Op::AddCheck,
                TableConstraint::FulltextOrSpatial(_) => Op::AddIndex { fulltext_or_spatial: true },
                TableConstraint::Unique(_) | TableConstraint::UniqueUsingIndex(_) | TableConstraint::Index(_) => {
                    Op::AddIndex { fulltext_or_spatial: false }
                }
                TableConstraint::Exclude(_) => Op::Other("ADD EXCLUDE".into()),
            },
            AlterTableOperation::AddColumn { column_def, .. } => Op::AddColumn(column(column_def)),
            AlterTableOperation::DropColumn { .. } => Op::DropColumn,
            AlterTableOperation::DropPrimaryKey { .. } => Op::DropPrimaryKey,
            AlterTableOperation::DropForeignKey { .. }
            | AlterTableOperation::DropIndex { .. }
            | AlterTableOperation::DropConstraint { .. } => Op::DropKey,
            AlterTableOperation::RenameColumn { .. } => Op::RenameColumn,
            AlterTableOperation::RenameTable { .. } => Op::RenameTable,
            AlterTableOperation::ChangeColumn { .. } | AlterTableOperation::ModifyColumn { .. } => Op::ChangeColumn,
            AlterTableOperation::AlterColumn { op, .. } => match op {
                AlterColumnOperation::SetNotNull | AlterColumnOperation::DropNotNull => Op::ColumnNullability,
                AlterColumnOperation::SetDefault { .. } | AlterColumnOperation::DropDefault => Op::ColumnDefault,
                AlterColumnOperation::SetDataType { .. } => Op::SetColumnType,
                other => Op::Other(format!("ALTER COLUMN … {}", first_words(&other.to_string()))),
            },
            other => Op::Other(first_words(&other.to_string())),
        };
        alter.ops.push(op);
    }
    alter
}

fn first_words(text: &str) -> String {
    text.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

fn column(def: &ColumnDef) -> NewColumn {
    let mut column = NewColumn {
        name: def.name.value.clone(),
        primary_key: false,
        unique: false,
        not_null: false,
        default: DefaultValue::Absent,
        auto_increment: false,
        stored: false,
        references: false,
    };
    for option in &def.options {
        match &option.option {
            ColumnOption::NotNull => column.not_null = true,
            ColumnOption::PrimaryKey(_) => column.primary_key = true,
            ColumnOption::Unique(_) => column.unique = true,
            ColumnOption::ForeignKey(_) => column.references = true,
            ColumnOption::Default(expr) => column.default = default_value(expr),
            ColumnOption::Generated { generation_expr_mode: Some(GeneratedExpressionMode::Stored), .. } => {
                column.stored = true;
            }
            ColumnOption::DialectSpecific(tokens) => {
                let text: String = tokens.iter().map(ToString::to_string).collect();
                if text.eq_ignore_ascii_case("auto_increment") || text.eq_ignore_ascii_case("autoincrement") {
                    column.auto_increment = true;
                }
            }
            _ => {}
        }
    }
    column
}

fn default_value(expr: &Expr) -> DefaultValue {
    match expr {
        Expr::Value(value) if matches!(value.value, Value::Null) => DefaultValue::Null,
        Expr::Value(_) => DefaultValue::Constant,
        Expr::UnaryOp { op: UnaryOperator::Minus | UnaryOperator::Plus, expr } if matches!(**expr, Expr::Value(_)) => {
            DefaultValue::Constant
        }
        _ => DefaultValue::NonConstant,
    }
}
