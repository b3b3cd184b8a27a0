package migrate

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Options say what to migrate where.
type Options struct {
	// From is the earlier tool's repository, holding push_datasets/ and
	// pull_datasets/.
	From string
	// To is our datasets directory; files go to <To>/push and <To>/pull.
	To string
	// Force replaces a dataset file of ours that differs from what the
	// migration writes.
	Force bool
}

// Status sums up a migration.
type Status int

const (
	// AllMigrated: every dataset file is written, and validate accepts it.
	AllMigrated Status = iota
	// DecisionsPending: every dataset file is written, and some wait for a
	// person's decision, which validate asks for until it is taken.
	DecisionsPending
	// NotAllMigrated: some file could not be read or written, or its name
	// cannot be kept.
	NotAllMigrated
)

// Outcome is what became of one legacy file.
type Outcome int

const (
	Written   Outcome = iota // written to a new file
	Unchanged                // our file already held exactly this
	Replaced                 // our file differed and --force replaced it
	Refused                  // not written: see FileReport.Refusal
)

// FileReport is what the migration did with one legacy file.
type FileReport struct {
	// Source is the legacy file's path; Target our file's, once known.
	Source, Target string
	Kind           naming.Kind
	Outcome        Outcome
	// Migrated is the conversion, nil when the file could not be read.
	Migrated *Migrated
	// Refusal says why the file was not written (Markdown).
	Refusal string
	// Decisions are the validator's problems with the written file, each
	// with what the report says about it.
	Decisions []Decision
}

// Decision is one problem the validator has with a migrated file, and,
// when the migration knows, what the earlier tool deployed and the choices.
type Decision struct {
	Problem datasets.Problem
	// Explained is nil for a problem the migration did not foresee: the
	// value is as the earlier tool's file had it.
	Explained *decision
}

// Report is everything a migration did, for the migration pull request.
type Report struct {
	Options
	Files []*FileReport
	// NotRead are entries of the legacy directories the earlier tool did
	// not read either (a README, a .yml file, a subdirectory).
	NotRead []datasets.Problem
}

// Status is the migration's summary.
func (r *Report) Status() Status {
	status := AllMigrated
	for _, f := range r.Files {
		switch {
		case f.Outcome == Refused:
			return NotAllMigrated
		case len(f.Decisions) > 0:
			status = DecisionsPending
		}
	}
	return status
}

// UsageError is a migration pointed at a directory that is not the earlier
// tool's repository.
type UsageError struct{ Message string }

func (e *UsageError) Error() string { return e.Message }

// Run migrates every dataset file of the earlier tool in o.From to o.To and
// reports what it did. It returns an error only when it cannot start (a
// UsageError for a directory that is not the earlier tool's) or its
// scratch directory fails; every problem with a file is in the report.
func Run(o Options) (*Report, error) {
	if err := checkLegacyRepository(o.From); err != nil {
		return nil, err
	}
	r := &Report{Options: o}
	var candidates []*FileReport
	for _, kind := range naming.Kinds {
		candidates = append(candidates, r.readKind(kind)...)
	}
	refuseCollisions(candidates)
	staging, err := os.MkdirTemp("", "migrate-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(staging)
	staged := map[string]*FileReport{}
	for _, f := range candidates {
		if f.Outcome == Refused {
			continue
		}
		f.Target = f.Migrated.File(o.To)
		path := f.Migrated.File(staging)
		if err := stage(path, f.Migrated); err != nil {
			f.refuse(fmt.Sprintf("cannot be written as `%s` (%v).", code(f.Target), err))
			continue
		}
		staged[filepath.Clean(path)] = f
	}
	if err := validate(staging, staged); err != nil {
		return nil, err
	}
	for _, f := range candidates {
		if f.Outcome != Refused {
			f.write(o.Force)
		}
	}
	return r, nil
}

// checkLegacyRepository says what to do when dir is not the earlier tool's
// repository.
func checkLegacyRepository(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &UsageError{fmt.Sprintf("--from %s does not exist: give the directory of the earlier tool's repository, which holds %s/ and %s/", dir, LegacyPushDir, LegacyPullDir)}
	case err != nil:
		return &UsageError{fmt.Sprintf("--from %s cannot be read (%v)", dir, err)}
	case !info.IsDir():
		return &UsageError{fmt.Sprintf("--from %s is a file: give the directory of the earlier tool's repository, which holds %s/ and %s/", dir, LegacyPushDir, LegacyPullDir)}
	}
	for _, kind := range naming.Kinds {
		if exists(filepath.Join(dir, LegacyDir(kind))) {
			return nil
		}
	}
	for _, ours := range []string{dir, filepath.Join(dir, naming.DatasetsDir)} {
		for _, kind := range naming.Kinds {
			if exists(filepath.Join(ours, string(kind))) {
				return &UsageError{fmt.Sprintf("--from %s holds no %s/ or %s/, but %s holds %s/: those files are already in our schema, so there is nothing to migrate. Check them with DATASETS_DIR=%s go run ./cmd/exports validate, and point --from at the earlier tool's repository",
					dir, LegacyPushDir, LegacyPullDir, ours, kind, ours)}
			}
		}
	}
	return &UsageError{fmt.Sprintf("--from %s holds neither %s/ nor %s/: give the directory of the earlier tool's repository", dir, LegacyPushDir, LegacyPullDir)}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// readKind reads and converts every file of one kind's legacy directory,
// and notes every entry the earlier tool did not read.
func (r *Report) readKind(kind naming.Kind) []*FileReport {
	dir := filepath.Join(r.From, LegacyDir(kind))
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		f := &FileReport{Source: dir, Kind: kind}
		f.refuse(fmt.Sprintf("cannot be read (%v).", err))
		r.Files = append(r.Files, f)
		return nil
	}
	var files []*FileReport
	for _, entry := range entries {
		path := filepath.Join(dir, entry.Name())
		switch {
		case entry.IsDir():
			r.NotRead = append(r.NotRead, datasets.Problem{File: path, Field: datasets.FileField, Message: fmt.Sprintf(
				"is a directory. The earlier tool read only the .yaml files directly in %s/, so nothing in it was deployed, and nothing in it is migrated.", LegacyDir(kind))})
		case filepath.Ext(entry.Name()) != naming.FileExtension:
			r.NotRead = append(r.NotRead, datasets.Problem{File: path, Field: datasets.FileField, Message: fmt.Sprintf(
				"is not a .yaml file. The earlier tool read only *.yaml, so nothing was deployed from it, and it is not migrated: if it is a dataset that should be deployed, add it under %s/ as a new dataset.", kind)})
		default:
			f := &FileReport{Source: path, Kind: kind}
			f.read()
			files = append(files, f)
			r.Files = append(r.Files, f)
		}
	}
	return files
}

// read reads and converts one legacy file.
func (f *FileReport) read() {
	data, err := os.ReadFile(f.Source)
	if err != nil {
		f.refuse(fmt.Sprintf("cannot be read (%v).", err))
		return
	}
	legacy, problem := ReadLegacy(f.Kind, f.Source, data)
	if problem == nil {
		f.Migrated, problem = Convert(legacy)
	}
	if problem != nil {
		f.refuse(problemText(*problem))
	}
}

func (f *FileReport) refuse(why string) {
	f.Outcome = Refused
	f.Refusal = why
}

// problemText is a problem without its file, which the report's heading
// names: "`name`: is missing: ...".
func problemText(p datasets.Problem) string {
	if p.Field == datasets.FileField {
		return "The file " + p.Message
	}
	return fmt.Sprintf("`%s` %s", code(p.Field), p.Message)
}

// refuseCollisions refuses files that would become the same dataset file
// of ours: they made the same AWS names.
func refuseCollisions(files []*FileReport) {
	byFile := map[string][]*FileReport{}
	for _, f := range files {
		if f.Outcome != Refused {
			key := f.Migrated.File("")
			byFile[key] = append(byFile[key], f)
		}
	}
	for _, same := range byFile {
		if len(same) < 2 {
			continue
		}
		for _, f := range same {
			var others []string
			for _, other := range same {
				if other != f {
					others = append(others, "`"+code(other.Source)+"`")
				}
			}
			f.refuse(fmt.Sprintf("`name: %s` makes the same %s as %s, so the earlier tool could not have deployed both: keep the one that is deployed, remove the other, and run migrate again.",
				code(f.Migrated.LegacyName), deployedNames(f.Kind, f.Migrated.LegacyName), strings.Join(others, " and ")))
		}
	}
}

// deployedNames lists the AWS names the earlier tool made from a dataset's
// name, which the migration keeps.
func deployedNames(kind naming.Kind, name string) string {
	if kind == naming.KindPull {
		return fmt.Sprintf("bucket `%s`", code(naming.PullBucket(name)))
	}
	return fmt.Sprintf("mover role and function `%s` and export prefix `%s`", code(naming.MoverName(name)), code(naming.ExportPrefix(name)))
}

func stage(path string, m *Migrated) error {
	data, err := m.Encode()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// validate runs the real validator on the staged files: a problem with a
// name refuses the file (our rules would change what is deployed); every
// other problem is a decision for a person, in the validator's words.
func validate(staging string, staged map[string]*FileReport) error {
	_, err := datasets.Load(staging)
	if err == nil {
		return nil
	}
	var problems datasets.Problems
	if !errors.As(err, &problems) {
		return err
	}
	byFile := map[*FileReport][]datasets.Problem{}
	for _, p := range problems {
		f, ok := staged[filepath.Clean(p.File)]
		if !ok {
			return fmt.Errorf("validating the migrated files: %s", p)
		}
		p.File = f.Target
		byFile[f] = append(byFile[f], p)
	}
	for f, problems := range byFile {
		var nameProblems []datasets.Problem
		for _, p := range problems {
			if p.Field == "name" {
				nameProblems = append(nameProblems, p)
			}
		}
		if len(nameProblems) > 0 {
			f.refuse(nameRefusal(f.Migrated, nameProblems))
			continue
		}
		for _, p := range problems {
			f.Decisions = append(f.Decisions, Decision{Problem: p, Explained: f.Migrated.explain(p.Field)})
		}
	}
	return nil
}

// explain finds what the conversion knows about the value at field: the
// field itself, else the list it is an item of.
func (m *Migrated) explain(field string) *decision {
	if d, ok := m.decisions[field]; ok {
		return &d
	}
	base, _, _ := strings.Cut(field, "[")
	if d, ok := m.decisions[base]; ok {
		return &d
	}
	return nil
}

// nameRefusal explains why a name our rules refuse cannot be migrated:
// every name our rules allow would change an AWS name deployed today.
func nameRefusal(m *Migrated, problems []datasets.Problem) string {
	var b strings.Builder
	fmt.Fprintf(&b, "`name: %s`: validate says", code(m.LegacyName))
	for i, p := range problems {
		if i > 0 {
			b.WriteString(" and")
		}
		fmt.Fprintf(&b, " “%s”", p.Message)
	}
	fmt.Fprintf(&b, ". The earlier tool made the %s from this name", deployedNames(m.Source.Kind, m.LegacyName))
	nearest := strings.ToLower(strings.ReplaceAll(m.LegacyName, "-", "_"))
	if nearest != m.Name {
		fmt.Fprintf(&b, "; the name our rules would take, `%s`, makes the %s instead", code(nearest), deployedNames(m.Source.Kind, nearest))
		if m.Source.Kind == naming.KindPush {
			b.WriteString(": a new mover role, which the recipient's bucket policy does not name, and a new prefix, which the users do not write to")
		} else {
			b.WriteString(": a new, empty bucket, which the readers do not read")
		}
	} else {
		b.WriteString(", and no name our rules allow makes the same")
	}
	b.WriteString(". Not migrated: keep this dataset on the earlier tool for now, or rename it deliberately in a pull request of its own, telling ")
	if m.Source.Kind == naming.KindPush {
		b.WriteString("the recipient (who must grant the new mover role) and the users (who must write under the new prefix).")
	} else {
		b.WriteString("the readers and users of the new bucket, and moving the data across.")
	}
	return b.String()
}

// write writes the migrated file to its target, unless a different file
// of ours is there and force is off.
func (f *FileReport) write(force bool) {
	data, err := f.Migrated.Encode()
	if err != nil {
		f.refuse(fmt.Sprintf("cannot be written (%v).", err))
		return
	}
	existing, err := os.ReadFile(f.Target)
	switch {
	case err == nil && bytes.Equal(existing, data):
		f.Outcome = Unchanged
		return
	case err == nil && !force:
		f.refuse(fmt.Sprintf("`%s` exists and differs from what the migration writes (perhaps decisions were taken in it since): left as it is. Compare the two, and run migrate again with --force to replace it.", code(f.Target)))
		return
	case err == nil:
		f.Outcome = Replaced
	case !errors.Is(err, fs.ErrNotExist):
		f.refuse(fmt.Sprintf("`%s` cannot be read (%v).", code(f.Target), err))
		return
	}
	if err := os.MkdirAll(filepath.Dir(f.Target), 0o755); err != nil {
		f.refuse(fmt.Sprintf("cannot be written (%v).", err))
		return
	}
	if err := os.WriteFile(f.Target, data, 0o644); err != nil {
		f.refuse(fmt.Sprintf("cannot be written (%v).", err))
	}
}
