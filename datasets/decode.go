package datasets

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
	yamlnode "sigs.k8s.io/yaml/goyaml.v3"
)

// Decoding happens twice, on purpose. The strict decoder (sigs.k8s.io/yaml)
// is what fills Push and Pull, but its errors speak of Go types and JSON
// ("cannot unmarshal array into Go struct field Pull.allow_push of type
// bool"), and it reads YAML 1.1, where an unquoted `yes` is true. So each file
// is first read as a YAML node tree and inspected field by field: that gives
// every structural mistake a message an analyst can act on, and the exact text
// each value was written as. Only a file that passes is decoded strictly.

// maxFileSize bounds what Load reads: a dataset file is a few hundred bytes.
const maxFileSize = 64 << 10

// fieldType is the shape of a dataset field's value.
type fieldType int

const (
	fieldText fieldType = iota // a single string
	fieldList                  // a list of strings
	fieldFlag                  // true or false
)

// fieldSpec describes one field of a dataset file, read from the json tags of
// Push and Pull so that the model stays the only place fields are declared.
type fieldSpec struct {
	name     string
	typ      fieldType
	required bool // fields without omitempty must be written
	index    int  // index of the struct field
}

// schemas lists each kind's fields in the order the model declares them.
var schemas = map[Kind][]fieldSpec{
	KindPush: fieldsOf(reflect.TypeFor[Push]()),
	KindPull: fieldsOf(reflect.TypeFor[Pull]()),
}

func fieldsOf(t reflect.Type) []fieldSpec {
	var specs []fieldSpec
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		spec := fieldSpec{name: name, required: opts != "omitempty", index: i}
		switch f.Type {
		case reflect.TypeFor[string]():
			spec.typ = fieldText
		case reflect.TypeFor[[]string]():
			spec.typ = fieldList
		case reflect.TypeFor[bool]():
			spec.typ = fieldFlag
		default:
			panic(fmt.Sprintf("datasets: field %s.%s has type %s, which the loader cannot check", t.Name(), f.Name, f.Type))
		}
		specs = append(specs, spec)
	}
	return specs
}

func specOf(kind Kind, name string) (fieldSpec, bool) {
	for _, s := range schemas[kind] {
		if s.name == name {
			return s, true
		}
	}
	return fieldSpec{}, false
}

// fieldNames is "name, bucket, users, paperwork and keep_files".
func fieldNames(kind Kind) string {
	specs := schemas[kind]
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.name
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// examples show how each required field other than name is written, for
// "write ..." advice.
var examples = map[string]string{
	"bucket":    "<the recipient's bucket name>",
	"users":     "[alpha_user_<github-name>]",
	"paperwork": "https://<link to the DPIA or data sharing agreement>",
	"pull_arns": "[" + roleARNForm + "]",
}

// example is how a required field could be written: "users: [...]".
func example(field, stem string) string {
	if field != "name" {
		return field + ": " + examples[field]
	}
	if namePattern.MatchString(stem) {
		return "name: " + stem
	}
	return "name: <the file name without .yaml>"
}

// decodeFile reads one dataset file into dataset (a *Push or *Pull),
// reporting every mistake to fp. It says whether the file was read far enough
// for the rules to check the values.
func decodeFile(kind Kind, stem string, data []byte, dataset any, fp *fileProblems) bool {
	root := parseMapping(stem, data, fp)
	if root == nil {
		return false
	}
	values := inspectFields(kind, stem, root, fp)
	target := reflect.ValueOf(dataset).Elem()
	if len(fp.problems) > 0 {
		// The strict decoder would stop at the first mistake; fill what was
		// well written so the rules can still check it.
		fill(kind, target, values)
		return true
	}
	if err := yaml.UnmarshalStrict(data, dataset); err != nil {
		fp.add(FileField, fmt.Sprintf("could not be read as a %s dataset (%v): check that it is written like the examples in the README", kind, err))
		return false
	}
	checkReadAsWritten(kind, target, values, fp)
	return true
}

// parseMapping parses data as one YAML document holding a mapping.
func parseMapping(stem string, data []byte, fp *fileProblems) *yamlnode.Node {
	if len(data) > maxFileSize {
		fp.add(FileField, fmt.Sprintf("is %d bytes, too big for a dataset file (at most %d): it should hold only the dataset's fields", len(data), maxFileSize))
		return nil
	}
	if line := tabIndentedLine(data); line > 0 {
		fp.add(FileField, fmt.Sprintf("line %d is indented with a tab, which YAML does not allow: indent with spaces", line))
		return nil
	}
	doc, err := parseFirstDocument(data)
	if err == nil && isEmptyDocument(doc) {
		fp.add(FileField, "is empty: write the dataset's fields, starting with "+example("name", stem))
		return nil
	}
	if errors.Is(err, errMoreDocuments) {
		fp.add(FileField, "holds more than one YAML document (a line with ---): write one dataset per file and remove the --- lines")
		return nil
	}
	if err != nil {
		fp.add(FileField, syntaxMessage(err))
		return nil
	}
	root := doc.Content[0]
	switch root.Kind {
	case yamlnode.MappingNode:
		return root
	case yamlnode.SequenceNode:
		fp.add(FileField, "is a list, but a dataset file is a set of fields: remove the leading '- ' and write one field per line, starting with "+example("name", stem))
	default:
		fp.add(FileField, fmt.Sprintf("is the single value %q, but a dataset file is a set of fields: write one field per line, starting with %s", shorten(root.Value), example("name", stem)))
	}
	return nil
}

var errMoreDocuments = errors.New("more than one document")

// parseFirstDocument parses the first YAML document in data, and fails with
// errMoreDocuments when another follows. Only text with a document marker
// (--- or ...) can hold a second one, so other text takes the cheaper path.
func parseFirstDocument(data []byte) (*yamlnode.Node, error) {
	var doc yamlnode.Node
	if !bytes.Contains(data, []byte("---")) && !bytes.Contains(data, []byte("...")) {
		return &doc, yamlnode.Unmarshal(data, &doc)
	}
	decoder := yamlnode.NewDecoder(bytes.NewReader(data))
	if err := decoder.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &doc, nil
		}
		return nil, err
	}
	var next yamlnode.Node
	switch err := decoder.Decode(&next); {
	case errors.Is(err, io.EOF):
		return &doc, nil
	case err != nil:
		return nil, err
	}
	return nil, errMoreDocuments
}

func isEmptyDocument(doc *yamlnode.Node) bool {
	if len(doc.Content) == 0 {
		return true
	}
	root := doc.Content[0]
	return root.Kind == yamlnode.ScalarNode && root.ShortTag() == "!!null"
}

// tabIndentedLine is the first line (from 1) whose indentation holds a tab,
// or 0. The YAML parser's own error for it ("found character that cannot
// start any token") does not say what to do.
func tabIndentedLine(data []byte) int {
	for line := 1; len(data) > 0; line++ {
		if indent := data[:len(data)-len(bytes.TrimLeft(data, " \t"))]; bytes.IndexByte(indent, '\t') >= 0 {
			return line
		}
		next := bytes.IndexByte(data, '\n')
		if next < 0 {
			break
		}
		data = data[next+1:]
	}
	return 0
}

func syntaxMessage(err error) string {
	detail := strings.TrimPrefix(err.Error(), "yaml: ")
	return fmt.Sprintf("is not valid YAML (%s): write one field per line as field: value, with list items on lines starting '  - '", detail)
}

// inspectFields checks every key and the shape of every value of a file's
// mapping, and returns the values that have the right shape, by field name.
func inspectFields(kind Kind, stem string, root *yamlnode.Node, fp *fileProblems) map[string]*yamlnode.Node {
	values := map[string]*yamlnode.Node{}
	lines := map[string]int{}               // line of each field written
	misspelt := map[string]*yamlnode.Node{} // values written under a misspelt field
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], resolveAlias(root.Content[i+1])
		if key.Kind != yamlnode.ScalarNode {
			fp.add(FileField, fmt.Sprintf("line %d: a field name must be a single word such as name or users: write one field per line as field: value", key.Line))
			continue
		}
		name, label := key.Value, fieldLabel(key.Value)
		if first, seen := lines[name]; seen {
			fp.add(label, fmt.Sprintf("is written twice (lines %d and %d): keep one", first, key.Line))
			delete(values, name)
			continue
		}
		lines[name] = key.Line
		spec, known := specOf(kind, name)
		if !known {
			meant := meantField(kind, name)
			fp.mention(label, unknownFieldMessage(kind, name, meant))
			if spec, ok := specOf(kind, meant); ok && misspelt[meant] == nil && lines[meant] == 0 {
				// Check the value too, so that one run finds every
				// mistake; its problems name the line as written.
				fp.labels[meant] = label
				misspelt[meant] = value
				if !checkShape(spec, value, stem, fp) {
					misspelt[meant] = &yamlnode.Node{} // reported; keep the field from "missing"
				}
			}
			continue
		}
		delete(fp.labels, name) // written as well as misspelt: this one counts
		if checkShape(spec, value, stem, fp) {
			values[name] = value
		}
	}
	for _, spec := range schemas[kind] {
		value, wasMisspelt := misspelt[spec.name]
		switch _, written := lines[spec.name]; {
		case written:
		case wasMisspelt:
			if value.Kind != 0 {
				values[spec.name] = value
			}
		case spec.required:
			fp.add(spec.name, "is missing: write "+example(spec.name, stem))
		}
	}
	return values
}

// plainKey is a field name that can be shown as it is written.
var plainKey = regexp.MustCompile(`^[A-Za-z0-9_.<-]{1,60}$`)

// fieldLabel is how a problem names the field written as key: as written,
// or quoted when it is empty, long or holds spaces or odd characters.
func fieldLabel(key string) string {
	if plainKey.MatchString(key) {
		return key
	}
	return strconv.Quote(shorten(key))
}

// resolveAlias follows a YAML alias (*anchor) to the value it stands for.
func resolveAlias(n *yamlnode.Node) *yamlnode.Node {
	if n.Kind == yamlnode.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// legacyFields are spellings the earlier tool's users wrote, with the field
// meant.
var legacyFields = map[string]string{
	"target_bucket": "bucket",
	"dpia":          "paperwork",
	"arns":          "pull_arns",
	"roles":         "pull_arns",
}

// meantField is the field name most likely meant by the unknown field
// name, of either kind, or name itself when none is near.
func meantField(kind Kind, name string) string {
	if legacy, ok := legacyFields[strings.ToLower(name)]; ok {
		return legacy
	}
	if near := nearestField(kind, name); near != "" {
		return near
	}
	if near := nearestField(otherKind(kind), name); near != "" {
		return near
	}
	return name
}

func otherKind(kind Kind) Kind {
	if kind == KindPull {
		return KindPush
	}
	return KindPull
}

func unknownFieldMessage(kind Kind, name, meant string) string {
	other := otherKind(kind)
	if _, ok := specOf(kind, meant); ok {
		return fmt.Sprintf("is not a field of a %s dataset: write %s instead", kind, meant)
	}
	if _, ok := specOf(other, meant); ok {
		spelled := ""
		if meant != name {
			spelled = fmt.Sprintf(" (%s is spelled %s)", name, meant)
		}
		switch kind {
		case KindPush:
			return fmt.Sprintf("belongs to pull datasets, not push%s: remove it, or move the file to pull/ if the recipient should read from a bucket of ours", spelled)
		default:
			return fmt.Sprintf("belongs to push datasets, not pull%s: a pull dataset gets its own bucket, mojap-<name>; remove it, or move the file to push/ to send files to the recipient's bucket", spelled)
		}
	}
	return fmt.Sprintf("is not a field of a %s dataset: the fields are %s", kind, fieldNames(kind))
}

// nearestField is the field of kind that name is a slip of the keyboard away
// from (case, hyphens, a letter or two), or "".
func nearestField(kind Kind, name string) string {
	normal := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "-", "_")
	for _, spec := range schemas[kind] {
		if editDistance(normal, spec.name) <= 2 {
			return spec.name
		}
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// checkShape reports a value whose shape does not fit its field, and says
// whether it fits.
func checkShape(spec fieldSpec, value *yamlnode.Node, stem string, fp *fileProblems) bool {
	switch spec.typ {
	case fieldText:
		return checkText(spec.name, value, stem, fp)
	case fieldList:
		return checkList(spec.name, value, fp)
	default:
		return checkFlag(spec.name, value, fp)
	}
}

// isText is true for a string or a null (read as "", which the rules report
// as empty).
func isText(n *yamlnode.Node) bool {
	tag := n.ShortTag()
	return n.Kind == yamlnode.ScalarNode && (tag == "!!str" || tag == "!!null")
}

func checkText(field string, value *yamlnode.Node, stem string, fp *fileProblems) bool {
	switch {
	case isText(value):
		return true
	case value.Kind == yamlnode.SequenceNode && len(value.Content) == 1 && isText(resolveAlias(value.Content[0])):
		fp.add(field, fmt.Sprintf("is a list, but %s is a single value: write %s: %s", field, field, resolveAlias(value.Content[0]).Value))
	case value.Kind == yamlnode.SequenceNode:
		fp.add(field, fmt.Sprintf("is a list, but %s is a single value: write %s", field, example(field, stem)))
	case value.Kind == yamlnode.MappingNode:
		fp.add(field, fmt.Sprintf("is a set of fields, but %s is a single value: write %s on one line", field, example(field, stem)))
	default:
		fp.add(field, fmt.Sprintf("%s %s, not text: put it in quotes, %s: %q", readAs(value), shorten(value.Value), field, value.Value))
	}
	return false
}

func checkList(field string, value *yamlnode.Node, fp *fileProblems) bool {
	switch {
	case value.Kind == yamlnode.ScalarNode && value.ShortTag() == "!!null":
		return true
	case value.Kind == yamlnode.ScalarNode:
		items := strings.FieldsFunc(value.Value, func(r rune) bool { return r == ',' || r == ' ' })
		fp.add(field, fmt.Sprintf("is a single value, but %s is a list: write %s: [%s], or one '  - ' line per item", field, field, strings.Join(items, ", ")))
		return false
	case value.Kind != yamlnode.SequenceNode:
		fp.add(field, fmt.Sprintf("is a set of fields, but %s is a list: write one '  - ' line per item", field))
		return false
	}
	for i, item := range value.Content {
		item = resolveAlias(item)
		itemField := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case item.Kind == yamlnode.ScalarNode && item.ShortTag() == "!!str":
		case item.Kind == yamlnode.ScalarNode && item.ShortTag() == "!!null":
			fp.add(itemField, "is empty: remove the '-' line or write the value after it")
		case item.Kind == yamlnode.ScalarNode:
			fp.add(itemField, fmt.Sprintf("%s %s, not text: put it in quotes, - %q", readAs(item), shorten(item.Value), item.Value))
		default:
			fp.add(itemField, fmt.Sprintf("is not a single value: each item of %s is one value on its own '  - ' line", field))
		}
	}
	// The list itself is well formed: its good items are still checked.
	return true
}

func checkFlag(field string, value *yamlnode.Node, fp *fileProblems) bool {
	if value.Kind == yamlnode.ScalarNode && value.ShortTag() == "!!bool" {
		return true
	}
	write := fmt.Sprintf("write %s: true or %s: false (false is the default, so the line may go)", field, field)
	switch value.Kind {
	case yamlnode.SequenceNode:
		if len(value.Content) == 1 {
			if meant := flagMeant(resolveAlias(value.Content[0]).Value); meant != "" {
				write = fmt.Sprintf("write %s: %s, without brackets or a '-'", field, meant)
			}
		}
		fp.add(field, fmt.Sprintf("is a list, but %s is a single true or false (a list would be read as true even when it holds False): %s", field, write))
	case yamlnode.ScalarNode:
		if value.ShortTag() == "!!null" {
			fp.add(field, "has no value: "+write)
			break
		}
		if meant := flagMeant(value.Value); meant != "" {
			write = fmt.Sprintf("write %s: %s, with no quotes", field, meant)
		}
		fp.add(field, fmt.Sprintf("is %q, but %s is true or false: %s", shorten(value.Value), field, write))
	default:
		fp.add(field, "is a set of fields: "+write)
	}
	return false
}

// flagMeant is "true" or "false" for the ways people write yes and no, or "".
func flagMeant(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "y", "on", "1":
		return "true"
	case "false", "no", "n", "off", "0":
		return "false"
	}
	return ""
}

// readAs describes how YAML reads an unquoted value that is not text.
func readAs(n *yamlnode.Node) string {
	switch n.ShortTag() {
	case "!!int", "!!float":
		return "is read as the number"
	case "!!bool":
		return "is read as the true/false value"
	case "!!timestamp":
		return "is read as the date"
	}
	return "is read as the " + strings.TrimLeft(n.ShortTag(), "!") + " value"
}

// shorten keeps messages one readable line.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// eachValue calls do with each well-shaped value of a file, the text fields
// and list fields of target it belongs in, and the field's spec.
func eachValue(kind Kind, target reflect.Value, values map[string]*yamlnode.Node, do func(spec fieldSpec, field reflect.Value, value *yamlnode.Node)) {
	for _, spec := range schemas[kind] {
		if value, ok := values[spec.name]; ok && spec.typ != fieldFlag {
			do(spec, target.Field(spec.index), value)
		}
	}
}

// fill sets the well-shaped values of a file that the strict decoder will
// not read, so that the rules can check them.
func fill(kind Kind, target reflect.Value, values map[string]*yamlnode.Node) {
	eachValue(kind, target, values, func(spec fieldSpec, field reflect.Value, value *yamlnode.Node) {
		if spec.typ == fieldText {
			field.SetString(textOf(value))
		} else {
			field.Set(reflect.ValueOf(listOf(value)))
		}
	})
}

func textOf(n *yamlnode.Node) string {
	if n.ShortTag() == "!!null" {
		return ""
	}
	return n.Value
}

func listOf(n *yamlnode.Node) []string {
	items := make([]string, len(n.Content))
	for i, item := range n.Content {
		items[i] = resolveAlias(item).Value
	}
	return items
}

// checkReadAsWritten reports text the strict decoder read differently from
// how it is written: it reads YAML 1.1, where an unquoted yes, on or off is
// a true/false value, so `bucket: yes` would become "true".
func checkReadAsWritten(kind Kind, target reflect.Value, values map[string]*yamlnode.Node, fp *fileProblems) {
	eachValue(kind, target, values, func(spec fieldSpec, field reflect.Value, value *yamlnode.Node) {
		if spec.typ == fieldText {
			if written := textOf(value); field.String() != written {
				fp.add(spec.name, fmt.Sprintf("is read by YAML as %q rather than %q: put it in quotes, %s: %q", field.String(), written, spec.name, written))
			}
			return
		}
		read := field.Interface().([]string)
		for i, written := range listOf(value) {
			if i < len(read) && read[i] != written {
				fp.add(fmt.Sprintf("%s[%d]", spec.name, i), fmt.Sprintf("is read by YAML as %q rather than %q: put it in quotes, - %q", read[i], written, written))
			}
		}
	})
}
