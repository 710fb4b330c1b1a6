//! Text helpers for Vietnamese: accent-insensitive search keys.

/// Lower-case, strip Vietnamese diacritics and collapse white space, so that
/// "ung hoa" finds "Ứng Hòa" and "đan phuong" finds "Đan Phượng".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for c in s.chars().flat_map(char::to_lowercase) {
        let base = base_letter(c);
        if base.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(base);
            last_space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

fn base_letter(c: char) -> char {
    const GROUPS: [(&str, char); 7] = [
        ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
        ("èéẻẽẹêềếểễệ", 'e'),
        ("ìíỉĩị", 'i'),
        ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
        ("ùúủũụưừứửữự", 'u'),
        ("ỳýỷỹỵ", 'y'),
        ("đ", 'd'),
    ];
    if c.is_ascii() {
        return c;
    }
    for (letters, base) in GROUPS {
        if letters.contains(c) {
            return base;
        }
    }
    c
}

/// Whether every word of the query occurs in the folded text.
pub fn matches(query: &str, text: &str) -> bool {
    let text = fold(text);
    fold(query).split(' ').all(|w| text.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("  Ứng  Hòa "), "ung hoa");
        assert_eq!(fold("ĐAN PHƯỢNG"), "dan phuong");
        assert_eq!(fold("Xã Trầm Lộng"), "xa tram long");
    }

    #[test]
    fn matching_is_per_word() {
        assert!(matches("hoa ung", "Huyện Ứng Hòa"));
        assert!(matches("", "bất kỳ"));
        assert!(!matches("me linh", "Huyện Ứng Hòa"));
    }
}
