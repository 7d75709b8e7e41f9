package mysqlview

import "strings"

// mysqlCharsets lists MySQL/MariaDB character set names. The TiDB parser
// knows only a few of them as string introducers (_latin2'x') or in
// CONVERT(... USING cs) and CAST(... CHARSET cs).
var mysqlCharsets = map[string]bool{
	"armscii8": true, "ascii": true, "big5": true, "binary": true, "cp1250": true, "cp1251": true,
	"cp1256": true, "cp1257": true, "cp850": true, "cp852": true, "cp866": true, "cp932": true,
	"dec8": true, "eucjpms": true, "euckr": true, "gb18030": true, "gb2312": true, "gbk": true,
	"geostd8": true, "greek": true, "hebrew": true, "hp8": true, "keybcs2": true, "koi8r": true,
	"koi8u": true, "latin1": true, "latin2": true, "latin5": true, "latin7": true, "macce": true,
	"macroman": true, "sjis": true, "swe7": true, "tis620": true, "ucs2": true, "ujis": true,
	"utf16": true, "utf16le": true, "utf32": true, "utf8": true, "utf8mb3": true, "utf8mb4": true,
}

// parserCharsets are the character sets the TiDB parser accepts everywhere.
var parserCharsets = map[string]bool{
	"ascii": true, "binary": true, "latin1": true, "utf8": true, "utf8mb3": true, "utf8mb4": true,
}

// normalizeCharsets rewrites the parts of a statement that the TiDB parser
// rejects but that do not matter for the translation: string introducers of
// character sets it does not know are removed, such character set names
// after USING, CHARSET and CHARACTER SET become utf8mb4, and COLLATE clauses
// (which the translation drops anyway) are removed, as collations such as
// MariaDB's utf8mb4_uca1400_ai_ci are unknown to the parser.
//
// It scans tokens, skipping over quoted strings, quoted identifiers and
// comments, and is used only to retry after a parse error. It reports
// whether anything changed.
func normalizeCharsets(sql string) (string, bool) {
	var out strings.Builder
	changed := false
	prev := ""  // previous bare word, lowercase
	prev2 := "" // the one before it
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := skipQuoted(sql, i)
			out.WriteString(sql[i:j])
			i = j
			prev, prev2 = "", ""
		case c == '#' || (c == '-' && strings.HasPrefix(sql[i:], "-- ")) || strings.HasPrefix(sql[i:], "/*"):
			j := skipComment(sql, i)
			out.WriteString(sql[i:j])
			i = j
		case isWordByte(c):
			j := i
			for j < len(sql) && isWordByte(sql[j]) {
				j++
			}
			word := sql[i:j]
			lw := strings.ToLower(word)
			switch {
			case lw == "collate":
				// Drop "COLLATE name".
				k := j
				for k < len(sql) && isSpace(sql[k]) {
					k++
				}
				switch {
				case k < len(sql) && (sql[k] == '\'' || sql[k] == '"' || sql[k] == '`'):
					k = skipQuoted(sql, k)
				default:
					for k < len(sql) && isWordByte(sql[k]) {
						k++
					}
				}
				i = k
				changed = true
				continue
			case strings.HasPrefix(lw, "_") && mysqlCharsets[lw[1:]] && !parserCharsets[lw[1:]] && literalFollows(sql, j):
				// Drop the introducer of _latin2'x'.
				changed = true
			case mysqlCharsets[lw] && !parserCharsets[lw] &&
				(prev == "using" || prev == "charset" || (prev == "set" && prev2 == "character")):
				out.WriteString("utf8mb4")
				changed = true
			default:
				out.WriteString(word)
			}
			prev2, prev = prev, lw
			i = j
		default:
			out.WriteByte(c)
			if !isSpace(c) {
				prev, prev2 = "", ""
			}
			i++
		}
	}
	return out.String(), changed
}

// literalFollows reports whether a string, hex or bit literal starts at or
// after spaces from i.
func literalFollows(sql string, i int) bool {
	for i < len(sql) && isSpace(sql[i]) {
		i++
	}
	rest := strings.ToLower(sql[i:])
	return strings.HasPrefix(rest, "'") || strings.HasPrefix(rest, "\"") ||
		strings.HasPrefix(rest, "x'") || strings.HasPrefix(rest, "b'") ||
		strings.HasPrefix(rest, "0x") || strings.HasPrefix(rest, "0b")
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 ||
		(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// skipQuoted returns the index after the quoted token starting at i.
// Backslash escapes apply inside strings, and a doubled quote stands for
// itself.
func skipQuoted(sql string, i int) int {
	q := sql[i]
	j := i + 1
	for j < len(sql) {
		switch {
		case sql[j] == '\\' && q != '`':
			j += 2
		case sql[j] == q:
			if j+1 < len(sql) && sql[j+1] == q {
				j += 2
				continue
			}
			return j + 1
		default:
			j++
		}
	}
	return len(sql)
}

// skipComment returns the index after the comment starting at i.
func skipComment(sql string, i int) int {
	if strings.HasPrefix(sql[i:], "/*") {
		if end := strings.Index(sql[i+2:], "*/"); end >= 0 {
			return i + 2 + end + 2
		}
		return len(sql)
	}
	if end := strings.IndexByte(sql[i:], '\n'); end >= 0 {
		return i + end + 1
	}
	return len(sql)
}
