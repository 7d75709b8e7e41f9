package employees

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// Seed is the fixed seed of the generator's PCG source: the same scale
// always yields byte-identical data.
const (
	seedHi uint64 = 0x6665727279626e63 // "ferrybnc"
	seedLo uint64 = 0x656d706c6f796565 // "employee"
)

// Counts are the row counts of the six tables.
type Counts struct {
	Employees   int64
	Departments int64
	DeptManager int64
	DeptEmp     int64
	Titles      int64
	Salaries    int64
}

// FullCounts are the row counts of the original employees data set
// (3,919,015 rows in all).
var FullCounts = Counts{
	Employees:   300_024,
	Departments: 9,
	DeptManager: 24,
	DeptEmp:     331_603,
	Titles:      443_308,
	Salaries:    2_844_047,
}

// Total returns the number of rows in all tables.
func (c Counts) Total() int64 {
	return c.Employees + c.Departments + c.DeptManager + c.DeptEmp + c.Titles + c.Salaries
}

// Of returns the count of the named table (0 for an unknown name).
func (c Counts) Of(table string) int64 {
	switch table {
	case "employees":
		return c.Employees
	case "departments":
		return c.Departments
	case "dept_manager":
		return c.DeptManager
	case "dept_emp":
		return c.DeptEmp
	case "titles":
		return c.Titles
	case "salaries":
		return c.Salaries
	}
	return 0
}

// CountsFor returns the row counts at scale: employees, dept_emp, titles
// and salaries are the original counts times scale, rounded; departments
// (9) and dept_manager (24) stay fixed. Scale 1 gives [FullCounts].
func CountsFor(scale float64) (Counts, error) {
	if !(scale > 0) || scale > 100 || math.IsInf(scale, 0) {
		return Counts{}, fmt.Errorf("employees: scale %v out of range (0, 100]", scale)
	}
	f := func(n int64) int64 { return int64(math.Round(float64(n) * scale)) }
	c := Counts{
		Employees:   f(FullCounts.Employees),
		Departments: FullCounts.Departments,
		DeptManager: FullCounts.DeptManager,
		DeptEmp:     f(FullCounts.DeptEmp),
		Titles:      f(FullCounts.Titles),
		Salaries:    f(FullCounts.Salaries),
	}
	e := c.Employees
	switch {
	case e < c.DeptManager:
		return Counts{}, fmt.Errorf("employees: scale %v too small: %d employees, need at least %d for dept_manager", scale, e, c.DeptManager)
	case c.DeptEmp < e || c.DeptEmp > 2*e,
		c.Titles < e || c.Titles > 3*e,
		c.Salaries < e || c.Salaries > maxSalaryRows*e:
		return Counts{}, fmt.Errorf("employees: scale %v gives inconsistent counts %+v", scale, c)
	}
	return c, nil
}

// Departments are the nine departments of the original data set.
var Departments = []struct{ No, Name string }{
	{"d001", "Marketing"},
	{"d002", "Finance"},
	{"d003", "Human Resources"},
	{"d004", "Production"},
	{"d005", "Development"},
	{"d006", "Quality Management"},
	{"d007", "Sales"},
	{"d008", "Research"},
	{"d009", "Customer Service"},
}

// deptWeights approximate the original dept_emp distribution.
var deptWeights = []int{20211, 17346, 17786, 73485, 85707, 20117, 52245, 21126, 23580}

var deptWeightSum = func() (n int) {
	for _, w := range deptWeights {
		n += w
	}
	return n
}()

// managersPerDept matches the original dept_manager table (24 rows).
var managersPerDept = []int{2, 2, 2, 4, 2, 4, 2, 2, 4}

// engineering departments: Production, Development, Quality Management, Research.
var engineeringDept = []bool{false, false, false, true, true, true, false, true, false}

var (
	engineerTrack = []string{"Assistant Engineer", "Engineer", "Senior Engineer", "Technique Leader"}
	staffTrack    = []string{"Staff", "Senior Staff"}
)

var firstNames = []string{
	"Georgi", "Bezalel", "Parto", "Chirstian", "Kyoichi", "Anneke", "Tzvetan", "Saniya",
	"Sumant", "Duangkaew", "Mary", "Patricio", "Eberhardt", "Berni", "Guoxiang", "Kazuhito",
	"Cristinel", "Kazuhide", "Lillian", "Mayuko", "Ramzi", "Shahaf", "Bojan", "Suzette",
	"Prasadram", "Yongqiao", "Divier", "Domenick", "Otmar", "Elvis", "Karsten", "Jeong",
	"Arif", "Bader", "Alain", "Adamantios", "Pradeep", "Huan", "Alejandro", "Weiyi",
}

var lastNames = []string{
	"Facello", "Simmel", "Bamford", "Koblick", "Maliniak", "Preusig", "Zielinski", "Kalloufi",
	"Peac", "Piveteau", "Sluis", "Bridgland", "Terkki", "Genin", "Nooteboom", "Cappelletti",
	"Bouloucos", "Peha", "Haddadi", "Warwick", "Erde", "Famili", "Montemayor", "Pettey",
	"Heyers", "Berztiss", "Reistad", "Tempesti", "Herbst", "Demeyer", "Joslin", "Chinin",
	"Merlo", "Swan", "Chappelet", "Portugali", "Schueller", "Lortz", "Brender", "Meriste",
}

const (
	maxSalaryRows = 18   // 1985..2002
	lastYear      = 2002 // the data set ends in 2002
	firstYear     = 1985
	lastHireYear  = 2000
)

// date is a day number, days since 1970-01-01.
type date int32

func mkdate(y, m, d int) date {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := m - 3
	if m <= 2 {
		mp = m + 9
	}
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return date(era*146097 + doe - 719468)
}

func (dt date) civil() (y, m, d int) {
	z := int(dt) + 719468
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func (dt date) addYears(n int) date {
	y, m, d := dt.civil()
	y += n
	if m == 2 && d == 29 && !isLeap(y) {
		d = 28
	}
	return mkdate(y, m, d)
}

func appendDate(b []byte, dt date) []byte {
	y, m, d := dt.civil()
	return append(b,
		byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-',
		byte('0'+d/10), byte('0'+d%10))
}

var (
	maxDate   = mkdate(9999, 1, 1) // "current" rows end here
	dataEnd   = mkdate(lastYear, 8, 1)
	birthFrom = mkdate(1952, 2, 1)
	birthTo   = mkdate(1965, 2, 1)
)

// Writers receives the tab-separated rows of each table (the column order
// of [Tables]; dates as YYYY-MM-DD; no NULLs, no characters that need
// escaping). Rows come in primary key order.
type Writers struct {
	Employees, Departments, DeptManager, DeptEmp, Titles, Salaries io.Writer
}

// WriteTSV generates the data set for counts deterministically into w.
func WriteTSV(c Counts, w Writers) error {
	g := &gen{rng: rand.New(rand.NewPCG(seedHi, seedLo))}
	ws := []*bufio.Writer{}
	buf := func(x io.Writer) *bufio.Writer {
		b := bufio.NewWriterSize(x, 1<<20)
		ws = append(ws, b)
		return b
	}
	emp, dep, dm, de, ti, sa := buf(w.Employees), buf(w.Departments), buf(w.DeptManager), buf(w.DeptEmp), buf(w.Titles), buf(w.Salaries)

	for _, d := range Departments {
		dep.WriteString(d.No + "\t" + d.Name + "\n")
	}
	if err := g.employees(c, emp, de, ti, sa); err != nil {
		return err
	}
	if err := g.deptManager(c, dm); err != nil {
		return err
	}
	for _, b := range ws {
		if err := b.Flush(); err != nil {
			return fmt.Errorf("employees: write: %w", err)
		}
	}
	return nil
}

type gen struct {
	rng *rand.Rand
	b   []byte
}

func (g *gen) day(from, to date) date { return from + date(g.rng.Int32N(int32(to-from)+1)) }

// allot picks how many of the left items one of n remaining owners gets:
// about left/n, spread by ±spread, clamped to [lo, hi] and to what keeps
// the rest feasible, so that the total comes out exact.
func (g *gen) allot(left *int64, n int64, lo, hi int64, spread float64) int64 {
	mean := float64(*left) / float64(n)
	x := int64(math.Round(mean + (2*g.rng.Float64()-1)*spread))
	x = max(lo, min(hi, x))
	x = max(*left-hi*(n-1), min(*left-lo*(n-1), x))
	*left -= x
	return x
}

type titleRow struct {
	title    string
	from, to date
}

type deptRow struct {
	dept     int
	from, to date
}

func (g *gen) pickDept() int {
	r := g.rng.IntN(deptWeightSum)
	for i, w := range deptWeights {
		if r < w {
			return i
		}
		r -= w
	}
	return len(deptWeights) - 1
}

// cuts returns k sorted distinct days strictly between from and to.
func (g *gen) cuts(from, to date, k int) []date {
	out := make([]date, 0, k)
	for len(out) < k {
		d := g.day(from+1, to-1)
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out
}

func (g *gen) employees(c Counts, emp, de, ti, sa *bufio.Writer) error {
	salLeft := c.Salaries
	titleExtra := c.Titles - c.Employees
	deptExtra := c.DeptEmp - c.Employees
	var titles []titleRow
	var depts []deptRow
	for i := range c.Employees {
		no := 10001 + i
		n := c.Employees - i
		nSal := int(g.allot(&salLeft, n, 1, maxSalaryRows, 8.5))
		nTitle := 1 + int(g.allot(&titleExtra, n, 0, 2, 1.2))
		nDept := 1
		if g.rng.Int64N(n) < deptExtra {
			deptExtra--
			nDept = 2
		}

		// Employment: current employees have one salary row per year
		// since hiring; former ones left nSal years after hiring.
		canCurrent := lastYear+1-nSal <= lastHireYear
		canLeft := lastYear-nSal >= firstYear
		current := canCurrent && (!canLeft || g.rng.Float64() < 0.88)
		var hire, end, workEnd date
		if current {
			y := lastYear + 1 - nSal
			hire = g.day(mkdate(y, 1, 1), mkdate(y, 12, 31))
			end, workEnd = maxDate, dataEnd
		} else {
			y := firstYear + g.rng.IntN(min(lastHireYear, lastYear-nSal)-firstYear+1)
			hire = g.day(mkdate(y, 1, 1), mkdate(y, 12, 31))
			end = hire.addYears(nSal)
			workEnd = end
		}
		if workEnd <= hire+2 {
			workEnd = hire + 365
		}

		// employees
		b := g.b[:0]
		b = strconv.AppendInt(b, no, 10)
		b = append(b, '\t')
		b = appendDate(b, g.day(birthFrom, birthTo))
		b = append(b, '\t')
		b = append(b, firstNames[g.rng.IntN(len(firstNames))]...)
		b = append(b, '\t')
		b = append(b, lastNames[g.rng.IntN(len(lastNames))]...)
		if g.rng.IntN(1000) < 600 {
			b = append(b, "\tM\t"...)
		} else {
			b = append(b, "\tF\t"...)
		}
		b = appendDate(b, hire)
		b = append(b, '\n')
		emp.Write(b)

		// dept_emp
		depts = depts[:0]
		first := g.pickDept()
		if nDept == 1 {
			depts = append(depts, deptRow{first, hire, end})
		} else {
			second := g.pickDept()
			for second == first {
				second = g.pickDept()
			}
			cut := g.cuts(hire, workEnd, 1)[0]
			depts = append(depts, deptRow{first, hire, cut}, deptRow{second, cut, end})
			if second < first {
				depts[0], depts[1] = depts[1], depts[0]
			}
		}
		b = b[:0]
		for _, d := range depts {
			b = strconv.AppendInt(b, no, 10)
			b = append(b, '\t')
			b = append(b, Departments[d.dept].No...)
			b = append(b, '\t')
			b = appendDate(b, d.from)
			b = append(b, '\t')
			b = appendDate(b, d.to)
			b = append(b, '\n')
		}
		de.Write(b)

		// titles: a career along one track
		track := staffTrack
		if engineeringDept[first] == (g.rng.IntN(100) < 85) {
			track = engineerTrack
		}
		if nTitle > len(track) {
			track = engineerTrack
		}
		start := g.rng.IntN(len(track) - nTitle + 1)
		titles = titles[:0]
		from := hire
		for j, cut := range append(g.cuts(hire, workEnd, nTitle-1), end) {
			titles = append(titles, titleRow{track[start+j], from, cut})
			from = cut
		}
		slices.SortFunc(titles, func(a, b titleRow) int {
			switch {
			case a.title < b.title:
				return -1
			case a.title > b.title:
				return 1
			}
			return 0
		})
		b = b[:0]
		for _, t := range titles {
			b = strconv.AppendInt(b, no, 10)
			b = append(b, '\t')
			b = append(b, t.title...)
			b = append(b, '\t')
			b = appendDate(b, t.from)
			b = append(b, '\t')
			b = appendDate(b, t.to)
			b = append(b, '\n')
		}
		ti.Write(b)

		// salaries: one row per year
		salary := 38000 + g.rng.IntN(27000)
		b = b[:0]
		for k := range nSal {
			b = strconv.AppendInt(b, no, 10)
			b = append(b, '\t')
			b = strconv.AppendInt(b, int64(salary), 10)
			b = append(b, '\t')
			b = appendDate(b, hire.addYears(k))
			b = append(b, '\t')
			if k == nSal-1 {
				b = appendDate(b, end)
			} else {
				b = appendDate(b, hire.addYears(k+1))
			}
			b = append(b, '\n')
			salary = min(158220, salary+salary*g.rng.IntN(70)/1000)
		}
		sa.Write(b)
		g.b = b
	}
	if salLeft != 0 || titleExtra != 0 || deptExtra != 0 {
		return fmt.Errorf("employees: generator bug: left over salaries %d, titles %d, dept_emp %d", salLeft, titleExtra, deptExtra)
	}
	return nil
}

// deptManager writes 24 rows: per department 2 or 4 successive managers,
// the last one current, like the original table.
func (g *gen) deptManager(c Counts, dm *bufio.Writer) error {
	type row struct {
		emp      int64
		dept     int
		from, to date
	}
	var rows []row
	used := map[int64]bool{}
	for d, k := range managersPerDept {
		from := mkdate(firstYear, 1, 1)
		cuts := g.cuts(from, mkdate(1997, 12, 31), k-1)
		for j := range k {
			var e int64
			for {
				e = 10001 + g.rng.Int64N(c.Employees)
				if !used[e] {
					break
				}
			}
			used[e] = true
			to := maxDate
			if j < k-1 {
				to = cuts[j]
			}
			rows = append(rows, row{e, d, from, to})
			from = to
		}
	}
	if int64(len(rows)) != c.DeptManager {
		return fmt.Errorf("employees: generator bug: %d dept_manager rows, want %d", len(rows), c.DeptManager)
	}
	slices.SortFunc(rows, func(a, b row) int {
		if a.emp != b.emp {
			return int(a.emp - b.emp)
		}
		return a.dept - b.dept
	})
	b := g.b[:0]
	for _, r := range rows {
		b = strconv.AppendInt(b, r.emp, 10)
		b = append(b, '\t')
		b = append(b, Departments[r.dept].No...)
		b = append(b, '\t')
		b = appendDate(b, r.from)
		b = append(b, '\t')
		b = appendDate(b, r.to)
		b = append(b, '\n')
	}
	dm.Write(b)
	g.b = b
	return nil
}
