package datasets

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	yamlnode "sigs.k8s.io/yaml/goyaml.v3"

	"github.com/ministryofjustice/data-engineering-exports/federation"
)

// fieldType is the shape of a dataset field's value, chosen by the Go type
// of its struct field. A new shape is a new fieldType with a case in
// fieldsOf, checkShape, fillField and encodeValue. Text that must be quoted
// so that YAML keeps it text (a 12-digit account id, whose leading zero a
// number would lose) needs no new shape: checkText already refuses an
// unquoted number and says to quote it (or, for a field with a
// numberProblem, says what its own check says).
type fieldType int

const (
	fieldText       fieldType = iota // string: one text
	fieldList                        // []string: a list of texts
	fieldTextOrList                  // References: one text, or a list of texts
	fieldFlag                        // bool: true or false
	// fieldMappings is a slice of structs: a list of small mappings, such
	// as gcp_readers: [{service_account_unique_id: ...}]. Each item's keys
	// are inspected like a file's (inspectMapping), its values checked and
	// filled by the same functions, under names like
	// gcp_readers[0].service_account_unique_id.
	fieldMappings
)

// fieldSpec describes one field of a dataset file, read from the json tags of
// Push and Pull (and of the items of their lists of mappings) so that the
// model stays the only place fields are declared.
type fieldSpec struct {
	name     string
	typ      fieldType
	required bool // fields without omitempty must be written
	index    int  // index of the struct field
	// item describes the items of a fieldMappings field.
	item *itemSpec
	// numberProblem, when set, says what is wrong with the field's value
	// written as an unquoted number, instead of checkText's advice to quote
	// it.
	numberProblem func(written string) string
}

// itemSpec describes the items of a list of mappings.
type itemSpec struct {
	fields []fieldSpec
	// missing is the problem with each required field an item leaves out,
	// in the words of the item's own check (see missingMessages).
	missing map[string]string
}

// schemas lists each kind's fields in the order the model declares them.
var schemas = map[Kind][]fieldSpec{
	KindPush: fieldsOf(reflect.TypeFor[Push]()),
	KindPull: fieldsOf(reflect.TypeFor[Pull]()),
}

// fieldTypes maps the Go types the model may use to their shapes; slices of
// structs are fieldMappings.
var fieldTypes = map[reflect.Type]fieldType{
	reflect.TypeFor[string]():     fieldText,
	reflect.TypeFor[[]string]():   fieldList,
	reflect.TypeFor[References](): fieldTextOrList,
	reflect.TypeFor[bool]():       fieldFlag,
}

// numberProblems are the text fields with a numberProblem.
var numberProblems = map[string]func(string) string{
	federation.FieldUniqueID: uniqueIDWrittenAsNumber,
}

// uniqueIDWrittenAsNumber is the problem with a Google service account's
// unique id written without quotes: what is wrong with the id itself when
// it is not 21 digits (rounded, too short), else that YAML reads it as a
// number that loses digits.
func uniqueIDWrittenAsNumber(written string) string {
	if problem := federation.UniqueIDProblem(written); problem != "" {
		return problem
	}
	return federation.UnquotedUniqueIDProblem(written)
}

func fieldsOf(t reflect.Type) []fieldSpec {
	var specs []fieldSpec
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		spec := fieldSpec{name: name, required: opts != "omitempty", index: i, numberProblem: numberProblems[name]}
		typ, known := fieldTypes[f.Type]
		switch {
		case known:
			spec.typ = typ
		case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct:
			spec.typ = fieldMappings
			spec.item = &itemSpec{fields: fieldsOf(f.Type.Elem()), missing: missingMessages(f.Type.Elem())}
		default:
			panic(fmt.Sprintf("datasets: field %s.%s has type %s, which the loader cannot check", t.Name(), f.Name, f.Type))
		}
		specs = append(specs, spec)
	}
	return specs
}

// selfChecking is an item type that checks its own fields (the federation
// readers): a field it finds empty is a problem.
type selfChecking interface {
	Problems() []federation.Problem
}

// missingMessages words a required field of an item left out as the item's
// own check words it empty ("is empty, which would trust every principal in
// the tenant: write ..."), with "is missing" for "is empty".
func missingMessages(item reflect.Type) map[string]string {
	checker, ok := reflect.Zero(item).Interface().(selfChecking)
	if !ok {
		panic(fmt.Sprintf("datasets: the items of a list of mappings must check themselves, and %s has no Problems method", item))
	}
	messages := map[string]string{}
	for _, p := range checker.Problems() {
		if rest, empty := strings.CutPrefix(p.Message, "is empty"); empty {
			messages[p.Field] = "is missing" + rest
		}
	}
	return messages
}

// specIn is the spec of the field called name in specs.
func specIn(specs []fieldSpec, name string) (fieldSpec, bool) {
	for _, s := range specs {
		if s.name == name {
			return s, true
		}
	}
	return fieldSpec{}, false
}

func specOf(kind Kind, name string) (fieldSpec, bool) { return specIn(schemas[kind], name) }

// fieldNames is "name, bucket, users, paperwork and keep_files".
func fieldNames(kind Kind) string { return namesOf(schemas[kind]) }

// namesOf lists the fields' names: "a, b and c".
func namesOf(specs []fieldSpec) string {
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.name
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// standIns are the required fields a file may leave out when it writes
// another: a pull dataset may have federated readers instead of pull_arns
// (checkReaders: a pull dataset needs at least one reader of any kind).
var standIns = map[string][]string{
	"pull_arns": {federation.FieldGCPReaders, federation.FieldAzureReaders},
}

// mappingSchema is what inspectMapping needs to know of one mapping: a
// dataset file, or one item of a list of mappings.
type mappingSchema struct {
	fields []fieldSpec
	// path is how problems name the field called name:
	// "users", or "gcp_readers[0].service_account_email".
	path func(name string) string
	// label is how problems name a key as written, which may be no field.
	label func(key string) string
	// whole is the field of a problem with the mapping itself, and
	// keyExamples names a field or two, for a key that is not a word.
	whole, keyExamples string
	// unknown words the problem with a key that is no field, and names the
	// field it most likely means: a field of this mapping, or not.
	unknown func(key string) (message, meant string)
	// missing is the problem with a required field left out.
	missing func(spec fieldSpec) string
}

// fileSchema is the schema of a dataset file of kind.
func fileSchema(kind Kind, stem string) mappingSchema {
	return mappingSchema{
		fields:      schemas[kind],
		path:        func(name string) string { return name },
		label:       fieldLabel,
		whole:       FileField,
		keyExamples: "name or users",
		unknown: func(key string) (string, string) {
			meant := meantField(kind, key)
			return unknownFieldMessage(kind, key, meant), meant
		},
		missing: func(spec fieldSpec) string { return "is missing: write " + example(spec.name, stem) },
	}
}

// itemSchema is the schema of the item at path (written "gcp_readers[0]"
// in problems) of the list of mappings list, a field of kind.
func itemSchema(kind Kind, list fieldSpec, path string, fp *fileProblems) mappingSchema {
	fields := list.item.fields
	shownItem := fp.shown(path)
	return mappingSchema{
		fields:      fields,
		path:        func(name string) string { return path + "." + name },
		label:       func(key string) string { return shownItem + "." + fieldLabel(key) },
		whole:       path,
		keyExamples: fields[0].name + " or " + fields[1].name,
		unknown:     func(key string) (string, string) { return unknownItemField(kind, list, key) },
		missing:     func(spec fieldSpec) string { return list.item.missing[spec.name] },
	}
}

// inspectFields checks every key and the shape of every value of a file's
// mapping, in the order the file writes them, and returns the values that
// have the right shape, by field name.
func inspectFields(kind Kind, stem string, root *yamlnode.Node, fp *fileProblems) map[string]*yamlnode.Node {
	return inspectMapping(fileSchema(kind, stem), root, stem, fp)
}

// inspectMapping checks every key and the shape of every value of a
// mapping, in the order it writes them, and returns the values that have
// the right shape, by field name.
func inspectMapping(schema mappingSchema, root *yamlnode.Node, stem string, fp *fileProblems) map[string]*yamlnode.Node {
	values := map[string]*yamlnode.Node{}
	lines := map[string]int{}               // line of each field written
	misspelt := map[string]*yamlnode.Node{} // values written under a misspelt field
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], resolveAlias(root.Content[i+1])
		if key.Kind != yamlnode.ScalarNode {
			// Mentioned, not flagged: the mapping's fields are still checked.
			fp.mention(schema.whole, fmt.Sprintf("line %d: a field name must be a single word such as %s: write one field per line as field: value", key.Line, schema.keyExamples))
			continue
		}
		name, label := key.Value, schema.label(key.Value)
		if first, seen := lines[name]; seen {
			fp.add(label, fmt.Sprintf("is written twice (lines %d and %d): keep one", first, key.Line))
			delete(values, name)
			continue
		}
		lines[name] = key.Line
		spec, known := specIn(schema.fields, name)
		if !known {
			message, meant := schema.unknown(name)
			fp.mention(label, message)
			if spec, ok := specIn(schema.fields, meant); ok && misspelt[meant] == nil && lines[meant] == 0 {
				// Check the value too, so that one run finds every
				// mistake; its problems name the line as written.
				fp.labels[schema.path(meant)] = label
				misspelt[meant] = value
				if !checkShape(at{spec, schema.path(meant)}, value, stem, fp) {
					misspelt[meant] = &yamlnode.Node{} // reported; keep the field from "missing"
				}
			}
			continue
		}
		delete(fp.labels, schema.path(name)) // written as well as misspelt: this one counts
		if checkShape(at{spec, schema.path(name)}, value, stem, fp) {
			values[name] = value
		}
	}
	written := func(name string) bool {
		_, wrote := lines[name]
		return wrote || misspelt[name] != nil
	}
	for _, spec := range schema.fields {
		value, wasMisspelt := misspelt[spec.name]
		switch _, wrote := lines[spec.name]; {
		case wrote:
		case wasMisspelt:
			if value.Kind != 0 {
				values[spec.name] = value
			}
		case spec.required && !slices.ContainsFunc(standIns[spec.name], written):
			fp.add(schema.path(spec.name), schema.missing(spec))
		}
	}
	return values
}
