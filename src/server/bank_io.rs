//! The question bank as a file: CSV (UTF-8) and XLSX, with one documented set
//! of columns. Reading validates every row and reports every problem; nothing
//! here touches the database.
use crate::domain::question::{QuestionDraft, MAX_OPTIONS};
use std::collections::HashMap;

/// The columns, in order. `phuong_an_1` … `phuong_an_6`: empty cells mean fewer options.
pub const COLUMNS: [&str; 16] = [
    "ma",
    "chu_de",
    "do_kho",
    "trang_thai",
    "cau_hoi",
    "phuong_an_1",
    "phuong_an_2",
    "phuong_an_3",
    "phuong_an_4",
    "phuong_an_5",
    "phuong_an_6",
    "dap_an",
    "giai_thich",
    "nguon",
    "doan_trich",
    "nhom",
];

pub const STATUS_ACTIVE: &str = "active";
pub const STATUS_RETIRED: &str = "retired";

/// A question as a file row carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankRow {
    pub draft: QuestionDraft,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowError {
    /// The row number as a spreadsheet shows it (the header is row 1).
    pub row: usize,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    Encoding,
    Malformed(String),
    MissingColumns(Vec<String>),
    Empty,
    TooManyRows(usize),
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileError::Encoding => write!(f, "Tệp CSV không ở mã hóa UTF-8. Trong Excel, hãy lưu bằng \"CSV UTF-8 (Comma delimited)\"."),
            FileError::Malformed(m) => write!(f, "Tệp bị lỗi định dạng, không đọc được: {m}"),
            FileError::MissingColumns(c) => write!(f, "Tệp thiếu cột: {}. Hãy dùng tệp mẫu.", c.join(", ")),
            FileError::Empty => write!(f, "Tệp không có dòng dữ liệu nào."),
            FileError::TooManyRows(n) => write!(f, "Tệp có {n} dòng, vượt quá giới hạn {MAX_ROWS} dòng mỗi lần nhập."),
        }
    }
}

pub const MAX_ROWS: usize = 50_000;

/// Cells of each data row, keyed by column name, with their spreadsheet row numbers.
pub type RawRows = Vec<(usize, HashMap<String, String>)>;

/// Columns a table file must and may have.
#[derive(Clone, Copy)]
pub struct Layout {
    pub columns: &'static [&'static str],
    pub required: &'static [&'static str],
}

pub const BANK: Layout = Layout {
    columns: &COLUMNS,
    required: &["chu_de", "cau_hoi", "phuong_an_1", "phuong_an_2", "dap_an", "giai_thich", "nguon", "doan_trich"],
};

fn index_header(header: &[String], layout: Layout) -> Result<Vec<Option<&'static str>>, FileError> {
    let norm: Vec<String> = header.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase()).collect();
    let missing: Vec<String> = layout.required.iter().filter(|c| !norm.iter().any(|h| h == *c)).map(|c| c.to_string()).collect();
    if !missing.is_empty() {
        return Err(FileError::MissingColumns(missing));
    }
    Ok(norm.iter().map(|h| layout.columns.iter().find(|c| *c == h).copied()).collect())
}

fn collect(rows: impl Iterator<Item = Result<Vec<String>, FileError>>, layout: Layout) -> Result<RawRows, FileError> {
    let mut rows = rows.enumerate();
    let header = match rows.next() {
        Some((_, h)) => h?,
        None => return Err(FileError::Empty),
    };
    let cols = index_header(&header, layout)?;
    let mut out = Vec::new();
    for (i, r) in rows {
        let r = r?;
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if out.len() >= MAX_ROWS {
            return Err(FileError::TooManyRows(out.len() + 1));
        }
        let mut m = HashMap::new();
        for (c, v) in cols.iter().zip(r) {
            if let Some(c) = c {
                m.insert(c.to_string(), v);
            }
        }
        out.push((i + 1, m));
    }
    if out.is_empty() {
        return Err(FileError::Empty);
    }
    Ok(out)
}

pub fn read_csv_as(bytes: &[u8], layout: Layout) -> Result<RawRows, FileError> {
    let text = std::str::from_utf8(bytes).map_err(|_| FileError::Encoding)?;
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(false).from_reader(text.as_bytes());
    collect(
        rdr.records().map(|r| {
            r.map(|rec| rec.iter().map(str::to_string).collect()).map_err(|e| {
                FileError::Malformed(match e.position() {
                    Some(p) => format!("dòng {}: số cột không khớp với dòng tiêu đề", p.line()),
                    None => e.to_string(),
                })
            })
        }),
        layout,
    )
}

/// Reads the first sheet. The XLSX reader (calamine) can panic on some damaged files
/// (found by fuzzing: an arithmetic overflow): such a file is malformed, never a crash.
pub fn read_xlsx_as(bytes: &[u8], layout: Layout) -> Result<RawRows, FileError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_xlsx_unguarded(bytes, layout)))
        .unwrap_or_else(|_| Err(FileError::Malformed("không đọc được nội dung bảng tính (tệp XLSX bị hỏng)".into())))
}

fn read_xlsx_unguarded(bytes: &[u8], layout: Layout) -> Result<RawRows, FileError> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| FileError::Malformed(e.to_string()))?;
    let first = book.sheet_names().first().cloned().ok_or(FileError::Empty)?;
    let range = book.worksheet_range(&first).map_err(|e| FileError::Malformed(e.to_string()))?;
    collect(
        range.rows().map(|r| {
            Ok(r.iter()
                .map(|c| match c {
                    calamine::Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    other => other.to_string(),
                })
                .collect())
        }),
        layout,
    )
}

/// Reads a table file by its name's extension (or content): `.xlsx` or CSV.
pub fn read_table(name: &str, bytes: &[u8], layout: Layout) -> Result<RawRows, FileError> {
    if name.to_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04") {
        read_xlsx_as(bytes, layout)
    } else {
        read_csv_as(bytes, layout)
    }
}

pub fn read_csv(bytes: &[u8]) -> Result<RawRows, FileError> {
    read_csv_as(bytes, BANK)
}

pub fn read_xlsx(bytes: &[u8]) -> Result<RawRows, FileError> {
    read_xlsx_as(bytes, BANK)
}

/// Reads a bank file by its name's extension (or content).
pub fn read_any(name: &str, bytes: &[u8]) -> Result<RawRows, FileError> {
    read_table(name, bytes, BANK)
}

/// Validates every row against the known topics and against the other rows.
/// Returns the rows, or every bad row with all its reasons.
pub fn validate(rows: RawRows, topics: &[&str]) -> Result<Vec<BankRow>, Vec<RowError>> {
    let mut good = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    let mut keys: HashMap<String, usize> = HashMap::new();
    let mut stems: HashMap<String, usize> = HashMap::new();
    for (row, m) in rows {
        let cell = |c: &str| m.get(c).map(|s| s.trim().to_string()).unwrap_or_default();
        let mut reasons = Vec::new();
        let options: Vec<String> = (1..=MAX_OPTIONS).map(|i| cell(&format!("phuong_an_{i}"))).collect();
        let last = options.iter().rposition(|o| !o.is_empty()).map(|i| i + 1).unwrap_or(0);
        let options: Vec<String> = options[..last].to_vec();
        let answer = cell("dap_an");
        let correct = match answer.parse::<usize>() {
            Ok(n) if n >= 1 && n <= options.len() => n - 1,
            _ if answer.is_empty() => {
                reasons.push("thiếu đáp án đúng (cột dap_an)".to_string());
                usize::MAX
            }
            _ => {
                reasons.push(format!("đáp án \"{answer}\" không phải số thứ tự của một phương án (1–{})", options.len()));
                usize::MAX
            }
        };
        let difficulty = match cell("do_kho").as_str() {
            "" => 2,
            d => d.parse().unwrap_or(0),
        };
        let status = match cell("trang_thai").as_str() {
            "" | STATUS_ACTIVE => STATUS_ACTIVE.to_string(),
            STATUS_RETIRED => STATUS_RETIRED.to_string(),
            other => {
                reasons.push(format!("trạng thái \"{other}\" không hợp lệ (active hoặc retired)"));
                STATUS_ACTIVE.to_string()
            }
        };
        let key = cell("ma");
        let draft = QuestionDraft {
            key: (!key.is_empty()).then(|| key.clone()),
            topic: cell("chu_de"),
            difficulty,
            stem: cell("cau_hoi"),
            options,
            correct: if correct == usize::MAX { 0 } else { correct },
            explanation: cell("giai_thich"),
            source: cell("nguon"),
            passage: cell("doan_trich"),
            group: cell("nhom"),
        };
        for p in draft.problems(topics) {
            // the missing answer is already reported in the file's own terms
            if correct == usize::MAX && p == crate::domain::question::QuestionError::CorrectOutOfRange {
                continue;
            }
            reasons.push(p.to_string());
        }
        if key.chars().count() > 64 {
            reasons.push("mã câu hỏi dài quá 64 ký tự".into());
        }
        if !key.is_empty() {
            if let Some(first) = keys.insert(key.clone(), row) {
                reasons.push(format!("trùng mã {key} với dòng {first}"));
            }
        }
        let folded = crate::domain::text::fold(&draft.stem);
        if !folded.is_empty() {
            if let Some(first) = stems.insert(folded, row) {
                reasons.push(format!("trùng câu hỏi với dòng {first}"));
            }
        }
        if reasons.is_empty() {
            good.push(BankRow { draft, status });
        } else {
            errors.push(RowError { row, reasons });
        }
    }
    if errors.is_empty() {
        Ok(good)
    } else {
        Err(errors)
    }
}

fn cells(r: &BankRow) -> Vec<String> {
    let d = &r.draft;
    let mut v = vec![d.key.clone().unwrap_or_default(), d.topic.clone(), d.difficulty.to_string(), r.status.clone(), d.stem.clone()];
    for i in 0..MAX_OPTIONS {
        v.push(d.options.get(i).cloned().unwrap_or_default());
    }
    v.extend([(d.correct + 1).to_string(), d.explanation.clone(), d.source.clone(), d.passage.clone(), d.group.clone()]);
    v
}

/// CSV in UTF-8 with a byte-order mark, so that Excel shows Vietnamese correctly.
pub fn write_csv(rows: &[BankRow]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let _ = w.write_record(COLUMNS);
        for r in rows {
            let _ = w.write_record(cells(r));
        }
        let _ = w.flush();
    }
    out
}

pub fn write_xlsx(rows: &[BankRow]) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("cau_hoi").map_err(|e| e.to_string())?;
    let bold = Format::new().set_bold();
    for (c, name) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &bold).map_err(|e| e.to_string())?;
    }
    for (i, r) in rows.iter().enumerate() {
        for (c, v) in cells(r).iter().enumerate() {
            sheet.write_string(i as u32 + 1, c as u16, v).map_err(|e| e.to_string())?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
    book.save_to_buffer().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_xlsx_found_by_fuzzing_is_malformed_not_a_crash() {
        // the XLSX reader overflowed on this file (cargo fuzz, bank_import target)
        let bytes = include_bytes!("../../tests/data/xlsx-multiply-overflow.xlsx");
        assert!(matches!(read_any("cau-hoi.xlsx", bytes), Err(FileError::Malformed(_))));
        assert!(matches!(read_table("danh-sach.xlsx", bytes, crate::server::units::ROSTER), Err(FileError::Malformed(_))));
    }

    const TOPICS: [&str; 2] = ["boi-canh", "nhiem-vu"];

    fn row(key: &str, stem: &str) -> BankRow {
        BankRow {
            draft: QuestionDraft {
                key: Some(key.into()),
                topic: "boi-canh".into(),
                difficulty: 2,
                stem: stem.into(),
                options: vec!["Một".into(), "Hai, có dấu phẩy".into(), "Ba \"ngoặc\"".into()],
                correct: 1,
                explanation: "Giải thích.".into(),
                source: "src-1".into(),
                passage: "Đoạn nguồn.".into(),
                group: "nhom-1".into(),
            },
            status: STATUS_ACTIVE.into(),
        }
    }

    #[test]
    fn csv_and_xlsx_round_trip() {
        let rows = vec![row("a-1", "Câu một?"), BankRow { status: STATUS_RETIRED.into(), ..row("a-2", "Câu hai?") }];
        let csv = write_csv(&rows);
        assert_eq!(validate(read_any("x.csv", &csv).unwrap(), &TOPICS).unwrap(), rows);
        let xlsx = write_xlsx(&rows).unwrap();
        assert_eq!(validate(read_any("x.xlsx", &xlsx).unwrap(), &TOPICS).unwrap(), rows);
    }

    #[test]
    fn every_bad_row_is_reported() {
        let header = COLUMNS.join(",");
        let body = [
            "k1,boi-canh,1,,Câu tốt?,A,B,,,,,1,Giải thích,src,đoạn,",
            "k2,boi-canh,1,,Thiếu đáp án?,A,B,,,,,,Giải thích,src,đoạn,",
            "k1,boi-canh,1,,Trùng mã?,A,B,,,,,2,Giải thích,src,đoạn,",
            "k4,khong-co,1,,Chủ đề lạ?,A,B,,,,,1,Giải thích,src,đoạn,",
            "k5,boi-canh,1,,Câu tốt?,A,B,,,,,1,Giải thích,src,đoạn,",
            &format!("k6,boi-canh,1,,{},A,B,,,,,1,Giải thích,src,đoạn,", "x".repeat(600)),
            "k7,boi-canh,9,sometimes,Nhiều lỗi?,A,A,,,,,5,,src,,",
        ];
        let file = format!("{header}\n{}\n", body.join("\n"));
        let errs = validate(read_csv(file.as_bytes()).unwrap(), &TOPICS).unwrap_err();
        let rows: Vec<usize> = errs.iter().map(|e| e.row).collect();
        assert_eq!(rows, vec![3, 4, 5, 6, 7, 8]);
        assert!(errs[0].reasons[0].contains("thiếu đáp án"));
        assert!(errs[1].reasons[0].contains("trùng mã k1 với dòng 2"));
        assert!(errs[2].reasons[0].contains("chủ đề không tồn tại"));
        assert!(errs[3].reasons[0].contains("trùng câu hỏi với dòng 2"));
        assert!(errs[4].reasons[0].contains("dài quá"));
        assert!(errs[5].reasons.len() >= 4, "{:?}", errs[5]);
    }

    #[test]
    fn file_level_errors() {
        assert_eq!(read_csv(b"\xff\xfe\x00c"), Err(FileError::Encoding));
        assert!(matches!(read_csv(b"ma,chu_de\nx,y\n"), Err(FileError::MissingColumns(_))));
        let header = COLUMNS.join(",");
        assert_eq!(read_csv(format!("{header}\n").as_bytes()), Err(FileError::Empty));
        assert!(matches!(read_csv(format!("{header}\na,b\n").as_bytes()), Err(FileError::Malformed(_))));
        assert!(matches!(read_xlsx(b"PK\x03\x04 not really a zip"), Err(FileError::Malformed(_))));
    }
}
