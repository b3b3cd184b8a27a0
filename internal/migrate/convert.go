package migrate

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	yaml "sigs.k8s.io/yaml/goyaml.v3"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/federation"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Migrated is one legacy file brought across: our dataset's name, the
// fields to write, and what the report says about it.
type Migrated struct {
	Source *Legacy
	// LegacyName is the name field as the earlier tool read it, which every
	// AWS name it deployed comes from.
	LegacyName string
	// Name is our dataset's name: LegacyName, with hyphens as underscores
	// for a pull dataset (whose bucket name is the same either way).
	Name string
	// Changes are the mechanical changes, one Markdown sentence each.
	Changes []string
	// DroppedComments are comment lines not carried across: empty ones and
	// commented-out settings.
	DroppedComments []string

	fields         map[string]*outField
	header, footer []string
	// decisions explain, by field as the validator names it ("allow_push",
	// "pull_arns[1]"), a value written as the earlier tool had it because
	// only a person can decide what it becomes.
	decisions map[string]decision
}

// outField is one field of our dataset file, with the comments it keeps.
type outField struct {
	value  *yaml.Node
	above  []string
	inline string
}

// decision is what the report says about a value the validator refuses.
type decision struct {
	// Today says what the earlier tool deployed from the value.
	Today string
	// Choices are what a person may write, each with what it does.
	Choices []choice
}

type choice struct{ Write, Effect string }

// File is our dataset file's path under the datasets directory dir.
func (m *Migrated) File(dir string) string {
	return naming.DatasetFile(dir, m.Source.Kind, m.Name)
}

// legacyFlags are the flags each kind's files may hold.
var legacyFlags = map[naming.Kind][]string{
	naming.KindPush: {"keep_files"},
	naming.KindPull: {"allow_push", "bucket_versioning"},
}

// Convert brings one legacy file across. It refuses, with a problem naming
// the field, a file whose name cannot be the name of any dataset file of
// ours; whether our naming rules accept the name is the validator's call,
// made on the written file (see Run).
func Convert(l *Legacy) (*Migrated, *datasets.Problem) {
	m := &Migrated{Source: l, fields: map[string]*outField{}, decisions: map[string]decision{}}
	name, problem := legacyName(l)
	if problem != nil {
		return nil, problem
	}
	m.LegacyName, m.Name = name, name
	if l.Kind == naming.KindPull {
		m.Name = strings.ReplaceAll(name, "-", "_")
	}
	m.noteName()
	m.header, m.footer = m.keptComments(l.Header), m.keptComments(l.Footer)
	for _, f := range l.Repeated {
		m.drop(f, "is written more than once; the earlier tool used the last "+f.Key+", so this earlier one is not carried across")
	}
	m.carry("name", l.Field("name"), func(*Field) *yaml.Node { return text(m.Name) })
	for _, f := range l.Fields {
		m.convertField(f)
	}
	if _, ok := m.fields["paperwork"]; !ok {
		m.decisions["paperwork"] = m.paperworkDecision("The earlier tool's file gives no paperwork, and the earlier tool never asked for any.")
	}
	if l.Kind == naming.KindPush {
		// The earlier tool's files have no account: the file is written
		// without one, for a person to ask the recipient.
		m.decisions["bucket_account"] = m.accountDecision()
	}
	return m, nil
}

// accountDecision explains the bucket_account that no file of the earlier
// tool has: only the recipient can say which account owns their bucket, as
// S3 tells nobody else.
func (m *Migrated) accountDecision() decision {
	bucket := "the recipient's bucket"
	if f, ok := m.fields["bucket"]; ok && isText(f.value) && f.value.Value != "" {
		bucket = "`" + code(f.value.Value) + "`"
	}
	prefix := code(naming.ExportBucket + "/" + naming.ExportPrefix(m.Name))
	return decision{
		Today: fmt.Sprintf("The earlier tool's files name the recipient's bucket only, and its mover delivers to %s whichever account owns it: "+
			"if the recipient deleted the bucket and another account registered the name, that account would receive the files, and the mover would delete our copy. "+
			"Our mover delivers only to a bucket owned by the account the file names, and this file names none.", bucket),
		Choices: []choice{
			{fmt.Sprintf("`bucket_account: \"<12 digits>\"`, in quotes, the account that owns %s: ask the recipient's platform team for it (no S3 request tells us which account owns another account's bucket)", bucket),
				"deliveries go on as today while that account owns the bucket; if another account ever owns it, S3 refuses every delivery and the files stay in `" + prefix + "`, each failed move reported to the failed-moves queue."},
			{"nothing yet: leave this file out of the migration and keep the dataset on the earlier tool until the recipient names the account",
				"deliveries go on as today, to whichever account owns the bucket."},
		},
	}
}

// legacyName is the name field as the earlier tool read it, if it can name
// a file of ours.
func legacyName(l *Legacy) (string, *datasets.Problem) {
	refuse := func(message string) (string, *datasets.Problem) {
		return "", &datasets.Problem{File: l.File, Field: "name", Message: message}
	}
	f := l.Field("name")
	switch {
	case f == nil:
		return refuse("is missing, and the earlier tool made every AWS name from it, so it deployed nothing from this file: write the name the dataset was deployed under, or remove the file")
	case !isText(f.Value):
		return refuse(fmt.Sprintf("is %s, not text, and our dataset names are text starting with a letter, so no name of ours gives the AWS names the earlier tool made from it: keep this dataset on the earlier tool, or rename it deliberately", described(f.Value)))
	case f.Value.Value == "":
		return refuse("is empty, and the earlier tool made every AWS name from it, so it deployed nothing from this file: write the name the dataset was deployed under, or remove the file")
	case strings.ContainsAny(f.Value.Value, "/\\\x00") || f.Value.Value == "." || f.Value.Value == "..":
		return refuse(fmt.Sprintf("is %q, which cannot be a file name, and our dataset files are named after the dataset: keep this dataset on the earlier tool, or rename it deliberately", shorten(f.Value.Value)))
	}
	return f.Value.Value, nil
}

// noteName reports a name or file name that changes without changing any
// AWS name.
func (m *Migrated) noteName() {
	stem := strings.TrimSuffix(filepath.Base(m.Source.File), naming.FileExtension)
	if m.Name != m.LegacyName {
		m.change("`name: %s` is written `name: %s`: our names use underscores, and the bucket is `%s` either way.", code(m.LegacyName), m.Name, naming.PullBucket(m.Name))
	}
	if stem == m.Name {
		return
	}
	why := "our file names equal the dataset's name"
	if stem != m.LegacyName {
		why = "the earlier tool made every AWS name from `name`, not from the file name, and our file names equal the name"
	}
	m.change("The file `%s` becomes `%s/%s%s`: %s.", code(filepath.Base(m.Source.File)), m.Source.Kind, m.Name, naming.FileExtension, why)
}

func (m *Migrated) convertField(f *Field) {
	kind := m.Source.Kind
	switch key := f.Key; {
	case key == "name":
	case key == "users":
		m.carry("users", f, m.users)
	case key == "paperwork" && !hasReference(f.Value):
		m.drop(f, "holds no reference, so there is nothing to carry across")
	case key == "paperwork":
		m.carry("paperwork", f, m.paperwork)
	case kind == naming.KindPush && key == "target_bucket":
		m.change("`target_bucket` is written `bucket`, our name for the recipient's bucket.")
		m.carry("bucket", f, m.textValue)
	case kind == naming.KindPush && key == "bucket":
		if target := m.Source.Field("target_bucket"); target != nil {
			m.drop(f, fmt.Sprintf("was not read by the earlier tool, which sent files to `target_bucket` (%s), as our file does", inline(target.Value)))
			return
		}
		m.carry("bucket", f, m.textValue)
	case kind == naming.KindPull && key == "pull_arns":
		m.carry("pull_arns", f, m.pullARNs)
	case kind == naming.KindPull && key == "bucket":
		m.drop(f, fmt.Sprintf("was not read by the earlier tool: a pull dataset's bucket is always `%s`, made from its name, and still is", naming.PullBucket(m.Name)))
	case isFlag(kind, key) && deployedFalse(f.Value):
		m.drop(f, "is left out: the earlier tool read it as false, and our files leave out a flag that is false")
	case isFlag(kind, key):
		m.carry(key, f, m.flag)
	default:
		m.drop(f, fmt.Sprintf("is not a field the earlier tool read from %s files, so nothing was deployed from it", kind))
	}
}

func isFlag(kind naming.Kind, key string) bool {
	for _, flag := range legacyFlags[kind] {
		if flag == key {
			return true
		}
	}
	return false
}

// carry writes the legacy field f as our field, with its value converted
// by convert and the comments that say something (taken first, so that
// the report lists dropped comments in file order).
func (m *Migrated) carry(field string, f *Field, convert func(*Field) *yaml.Node) {
	out := &outField{above: m.keptComments(f.Above)}
	if inlineComment := m.keptComments(commentLines(f.Inline)); len(inlineComment) == 1 {
		out.inline = inlineComment[0]
	}
	out.value = convert(f)
	m.fields[field] = out
}

// drop reports a legacy field that is not carried across, with its value
// and its comments, so that nothing goes silently.
func (m *Migrated) drop(f *Field, why string) {
	comments := ""
	if lines := append(append([]string{}, f.Above...), commentLines(f.Inline)...); len(lines) > 0 {
		comments = " Its comment, not carried across either: `" + code(strings.Join(lines, " ")) + "`."
	}
	m.change("`%s` (line %d) %s.%s", strings.TrimSpace(code(f.Key)+": "+inline(f.Value)), f.Line, why, comments)
}

func (m *Migrated) change(format string, args ...any) {
	m.Changes = append(m.Changes, fmt.Sprintf(format, args...))
}

// textValue carries a single text value; anything else is written as it
// is, for the validator to refuse.
func (m *Migrated) textValue(f *Field) *yaml.Node {
	if isText(f.Value) {
		return text(f.Value.Value)
	}
	return asWritten(f.Value)
}

// users carries the user list, lower-casing role names: IAM role names do
// not depend on case, so alpha_user_JaneDoe and alpha_user_janedoe are one
// role, and our rules want lower case.
func (m *Migrated) users(f *Field) *yaml.Node {
	return m.list(f, func(i int, user string) string {
		if lower := strings.ToLower(user); lower != user {
			m.change("`users[%d]` `%s` is written `%s`: IAM role names do not depend on case, so it is the same role, and ours are lower case.", i, code(user), lower)
			return lower
		}
		return user
	})
}

// pullARNs carries the readers' ARNs as written; an IAM user is left for a
// person to decide on, since no role of ours can stand in for it.
func (m *Migrated) pullARNs(f *Field) *yaml.Node {
	bucket := naming.PullBucket(m.Name)
	return m.list(f, func(i int, arn string) string {
		rest, isIAM := strings.CutPrefix(arn, "arn:aws:iam::")
		if account, resource, _ := strings.Cut(rest, ":"); isIAM && strings.HasPrefix(resource, "user/") {
			m.decisions[fmt.Sprintf("pull_arns[%d]", i)] = decision{
				Today: fmt.Sprintf("The earlier tool let the IAM user `%s` read `%s`: a user, with long-lived access keys, where our readers are roles.", code(arn), bucket),
				Choices: []choice{
					{fmt.Sprintf("the ARN of an IAM role in the reader's account, `arn:aws:iam::%s:role/<role-name>`", code(account)),
						"the reader keeps access through the role once they use it instead of the user's keys: on AWS, a role is the fix."},
					{"nothing (remove the line)", fmt.Sprintf("REMOVES the access this user has to `%s` today.", bucket)},
					{fmt.Sprintf("if the reader is outside AWS (Google Cloud or Azure) and reaches us through this user: their identity there, under `%s` or `%s`, and remove this line", federation.FieldGCPReaders, federation.FieldAzureReaders),
						"the reader reads through a role of its own that trusts that one identity, with short-lived credentials and no AWS keys (`exports reader-setup <dataset>` prints what they run once it is deployed); the user's keys no longer reach the bucket."},
					{"nothing yet: leave this file out of the migration and keep the dataset on the earlier tool",
						"access stays as it is today."},
				},
			}
		}
		return arn
	})
}

// list carries a list of text values, each through convert; items that are
// not text, and a value that is not a list, are written as they are, for
// the validator to refuse.
func (m *Migrated) list(f *Field, convert func(i int, item string) string) *yaml.Node {
	if f.Value.Kind != yaml.SequenceNode {
		return asWritten(f.Value)
	}
	out := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for i, item := range f.Value.Content {
		var value *yaml.Node
		if resolved := resolve(item); isText(resolved) {
			value = text(convert(i, resolved.Value))
		} else {
			value = asWritten(resolved)
		}
		m.keepItemComments(item, value)
		out.Content = append(out.Content, value)
	}
	return out
}

func (m *Migrated) keepItemComments(from, to *yaml.Node) {
	to.HeadComment = strings.Join(m.keptComments(commentLines(from.HeadComment, from.FootComment)), "\n")
	if inlineComment := m.keptComments(commentLines(from.LineComment)); len(inlineComment) == 1 {
		to.LineComment = inlineComment[0]
	}
}

// deployedFalse is true for a flag the earlier tool read as false whose
// value says false or nothing clear (an empty list): leaving it out keeps
// what is deployed.
func deployedFalse(value *yaml.Node) bool {
	return !truthy(value) && flagMeaning(value) != "true"
}

// flag carries a flag the earlier tool read as true. When what is written
// means true, it is written plainly; otherwise (allow_push: [False] was
// deployed as true) it is written as it is, for the validator to refuse,
// and the report gives both choices.
func (m *Migrated) flag(f *Field) *yaml.Node {
	deployed := truthy(f.Value)
	written := inline(f.Value)
	if flagMeaning(f.Value) == strconv.FormatBool(deployed) {
		if written != strconv.FormatBool(deployed) {
			m.change("`%s: %s` is written `%s: %t`, as the earlier tool read it.", f.Key, written, f.Key, deployed)
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(deployed)}
	}
	sense := m.flagSense(f.Key)
	m.decisions[f.Key] = decision{
		Today: fmt.Sprintf("The earlier tool read `%s: %s` as %t (%s): today %s.", f.Key, written, deployed, whyRead(f.Value), sense.state(deployed)),
		Choices: []choice{
			{fmt.Sprintf("`%s: %t`", f.Key, deployed), "keeps what is deployed today: " + sense.state(deployed) + "."},
			{fmt.Sprintf("`%s: %t`", f.Key, !deployed), sense.change(!deployed) + "."},
		},
	}
	return asWritten(f.Value)
}

// flagSense says what a flag does, for the report.
type flagSense struct {
	on, off         string // the state each value gives
	turnOn, turnOff string // what changing to each value does
}

func (s flagSense) state(on bool) string {
	if on {
		return s.on
	}
	return s.off
}

func (s flagSense) change(toOn bool) string {
	if toOn {
		return s.turnOn
	}
	return s.turnOff
}

func (m *Migrated) flagSense(flag string) flagSense {
	bucket := code(naming.PullBucket(m.Name))
	switch flag {
	case "allow_push":
		return flagSense{
			on:      fmt.Sprintf("the roles in pull_arns may write to and delete from `%s` as well as read it", bucket),
			off:     fmt.Sprintf("the roles in pull_arns may only read `%s`", bucket),
			turnOn:  fmt.Sprintf("GIVES the roles in pull_arns write and delete access to `%s`, which they do not have today", bucket),
			turnOff: fmt.Sprintf("REMOVES the write and delete access the roles in pull_arns have to `%s` today: they may then only read it", bucket),
		}
	case "bucket_versioning":
		return flagSense{
			on:      fmt.Sprintf("`%s` keeps earlier versions of overwritten and deleted objects", bucket),
			off:     fmt.Sprintf("`%s` keeps no earlier versions of objects", bucket),
			turnOn:  fmt.Sprintf("turns on versioning of `%s`, which it does not have today", bucket),
			turnOff: fmt.Sprintf("stops declaring versioning of `%s`, which it has today: it is no longer kept on by the deploy, and objects overwritten or deleted after it is turned off cannot be recovered", bucket),
		}
	}
	prefix := code(naming.ExportBucket + "/" + naming.ExportPrefix(m.Name))
	return flagSense{
		on:      fmt.Sprintf("the mover copies each file to the recipient and leaves it in `%s`", prefix),
		off:     fmt.Sprintf("the mover deletes each file from `%s` once it is copied", prefix),
		turnOn:  fmt.Sprintf("files start to stay in `%s` after they are copied, which they do not today", prefix),
		turnOff: fmt.Sprintf("the mover starts to delete each file from `%s` once it is copied, which it does not do today", prefix),
	}
}

// isReference is true for text the validator takes as a paperwork
// reference.
func isReference(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && datasets.PaperworkProblem(n.Value) == ""
}

// hasReference is true for paperwork holding anything but empty values.
func hasReference(value *yaml.Node) bool {
	if value.Kind != yaml.SequenceNode {
		return !isNull(value)
	}
	for _, item := range value.Content {
		if !isNull(item) {
			return true
		}
	}
	return false
}

// paperwork carries the paperwork across as one reference or a list of
// them, each text as written. Whether each is an acceptable reference is
// the validator's call; the report explains what to do with one it refuses.
func (m *Migrated) paperwork(f *Field) *yaml.Node {
	var references []*yaml.Node
	var items []*yaml.Node
	switch value := f.Value; value.Kind {
	case yaml.SequenceNode:
		items = value.Content
	default:
		items = []*yaml.Node{value}
	}
	for _, item := range items {
		item = resolve(item)
		switch {
		case isNull(item):
			if f.Value.Kind == yaml.SequenceNode {
				m.change("An empty item of `paperwork` (line %d) is not carried across: it holds no reference.", item.Line)
			}
			continue
		case item.Kind == yaml.ScalarNode:
			reference := text(item.Value)
			if item != f.Value {
				m.keepItemComments(item, reference)
			}
			references = append(references, reference)
		case item.Kind == yaml.MappingNode && len(item.Content) == 2 && resolve(item.Content[0]).Kind == yaml.ScalarNode && resolve(item.Content[1]).Kind == yaml.ScalarNode:
			// "DPIA reference: 12883" unquoted is read as a field; the
			// text as written is what was meant.
			written := resolve(item.Content[0]).Value + ": " + resolve(item.Content[1]).Value
			m.change("`paperwork` text `%s` (line %d) is written in quotes: unquoted, YAML read it as a field rather than text.", code(written), item.Line)
			references = append(references, text(written))
		default:
			references = append(references, asWritten(item))
		}
	}
	accepted := 0
	for _, reference := range references {
		if isReference(reference) {
			accepted++
		}
	}
	for i, reference := range references {
		field := "paperwork"
		if len(references) > 1 {
			field = fmt.Sprintf("paperwork[%d]", i)
		}
		d := m.paperworkDecision(fmt.Sprintf("The earlier tool's file gives `%s`, and the earlier tool never checked it.", inline(reference)))
		if accepted > 0 && !isReference(reference) {
			d.Choices = append([]choice{{"nothing (remove this item)", "the other references stay, and access stays as it is today."}}, d.Choices...)
		}
		m.decisions[field] = d
	}
	if len(references) == 1 && references[0].Kind == yaml.ScalarNode {
		if f.Value.Kind == yaml.SequenceNode {
			m.change("`paperwork` is a list of one, written as that one reference.")
		}
		return references[0]
	}
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: references}
}

func (m *Migrated) paperworkDecision(today string) decision {
	who := fmt.Sprintf("its users and the roles in pull_arns have to `%s`", naming.PullBucket(m.Name))
	if m.Source.Kind == naming.KindPush {
		who = fmt.Sprintf("its users have to `%s/%s` and the deliveries to the recipient", naming.ExportBucket, naming.ExportPrefix(m.Name))
	}
	return decision{Today: today, Choices: []choice{
		{"`paperwork: <link or reference>` (a link to the DPIA or data sharing agreement, or text naming it by its identifier, such as DPIA 17056)",
			"records what the export rests on; access stays as it is today."},
		{"nothing yet: leave this file out of the migration and keep the dataset on the earlier tool until the paperwork is found",
			"access stays as it is today."},
		{"end the export (see \"When an export ends\")", "REMOVES the access " + who + " today."},
	}}
}

// keptComments are the comment lines that say something: not empty `#`
// lines, and not commented-out settings (`# keep_files: false`,
// `#  - alpha_user_old`), which describe nothing deployed. The others are
// recorded as dropped.
func (m *Migrated) keptComments(lines []string) []string {
	var kept []string
	for _, line := range lines {
		if line == "" {
			continue
		}
		if saysNothing(line) {
			m.DroppedComments = append(m.DroppedComments, line)
			continue
		}
		kept = append(kept, line)
	}
	return kept
}

func saysNothing(comment string) bool {
	body := strings.TrimSpace(strings.TrimLeft(comment, "#"))
	if body == "" {
		return true
	}
	if item, isItem := strings.CutPrefix(body, "-"); isItem {
		// A commented-out list item: one word, such as a user or an ARN.
		return len(strings.Fields(item)) == 1
	}
	key, _, isSetting := strings.Cut(body, ":")
	return isSetting && knownKeys[strings.TrimSpace(key)]
}

// knownKeys are the keys of both schemas, ours and the earlier tool's: a
// comment starting with one is a commented-out setting.
var knownKeys = func() map[string]bool {
	keys := map[string]bool{"target_bucket": true}
	for _, model := range []any{datasets.Push{}, datasets.Pull{}} {
		for _, field := range modelFields(model) {
			keys[field] = true
		}
	}
	return keys
}()

// modelFields are the fields of our dataset model, in the order our files
// write them (the order the model declares them).
func modelFields(model any) []string {
	t := reflect.TypeOf(model)
	var fields []string
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			fields = append(fields, name)
		}
	}
	return fields
}

// text is a YAML string, quoted when YAML (1.2, or the 1.1 of the earlier
// tool and of the loader's true/false check) would read it as something
// else.
func text(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	// Line breaks and tabs are escaped in quotes: in a block they could
	// start a line with a tab, which the loader refuses.
	if typeOf(n) != pyStr || strings.ContainsAny(s, "\t\n\r\u0085\u2028\u2029") {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// asWritten copies a legacy value to be written as the earlier tool's file
// had it (aliases expanded, comments left to the caller).
func asWritten(n *yaml.Node) *yaml.Node {
	n = resolve(n)
	out := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Value: n.Value, Style: n.Style &^ yaml.TaggedStyle}
	if n.Kind == yaml.ScalarNode && n.Style&yaml.TaggedStyle == 0 && typeOf(n) != pyStr {
		// Keep it unquoted: written plainly, it means to our validator
		// what it meant to the earlier tool's reader.
		out.Tag = ""
	}
	for _, c := range n.Content {
		out.Content = append(out.Content, asWritten(c))
	}
	return out
}

// inline is a value as one line of YAML, for messages: [False], "True".
func inline(n *yaml.Node) string {
	n = asWritten(n)
	if n.Kind != yaml.ScalarNode {
		n.Style = yaml.FlowStyle
	}
	out, err := yaml.Marshal(n)
	if err != nil {
		return shorten(n.Value)
	}
	return code(shorten(strings.TrimSpace(string(out))))
}

// described says what a value is read as, for messages.
func described(n *yaml.Node) string {
	switch typeOf(n) {
	case pyBool:
		return "the true/false value " + inline(n)
	case pyInt, pyFloat:
		return "the number " + inline(n)
	case pyNone:
		return "empty"
	case pyList:
		return "a list"
	case pyDict:
		return "a set of fields"
	}
	return "the value " + inline(n)
}

// code makes s safe inside a Markdown code span, on one line.
func code(s string) string { return codeSpan.Replace(s) }

var codeSpan = strings.NewReplacer("`", "'", "\n", " ", "\r", " ", "\t", " ")
