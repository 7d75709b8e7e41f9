package convert

// Object is one source object (table, index, view, procedure, ...) as a
// converter turned it into target statements, with how well that went.
// Script converters (Oracle) produce them; `ferry assess` aggregates them
// into an inventory with effort grades.
type Object struct {
	Kind   string `json:"kind"` // table, column, constraint, index, sequence, view, synonym, comment, procedure, function, trigger, package, type, ...
	Schema string `json:"schema,omitempty"`
	Name   string `json:"name"`
	// File and Line locate the object's source statement (1-based line).
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Status says whether the object converted automatically, with
	// warnings the user should review, or needs manual work.
	Status Status `json:"status"`
	// SQL are the target statements, in the order they must run.
	SQL []string `json:"sql,omitempty"`
	// Notes are warnings about a conversion that did succeed (a dropped
	// TABLESPACE clause, a bitmap index made btree, ...).
	Notes []string `json:"notes,omitempty"`
	// Items are what was not converted: never silently dropped.
	Items []ActionItem `json:"action_items,omitempty"`
	// Source is the original statement text.
	Source string `json:"source,omitempty"`
	// Depends names the objects ("schema.name", lower case) that must be
	// created first.
	Depends []string `json:"depends,omitempty"`
}

// Status grades how an object converted.
type Status string

// The statuses, best first.
const (
	StatusAuto     Status = "converted"
	StatusWarnings Status = "converted with warnings"
	StatusManual   Status = "needs manual work"
)
