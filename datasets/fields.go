package datasets

import (
	"fmt"
	"reflect"
	"strings"

	yamlnode "sigs.k8s.io/yaml/goyaml.v3"
)

// fieldType is the shape of a dataset field's value, chosen by the Go type
// of its struct field. A new shape is a new fieldType with a case in
// fieldsOf, checkShape, fillField and encodeValue. A list of small mappings
// (readers: [{tenant_id: ..., client_id: ...}]), say, would be a fieldType
// for a slice of structs whose fieldSpec also holds the element's fields,
// read by fieldsOf from the element struct's json tags; each item's keys
// would be inspected like a file's, and its values checked and filled by
// the same functions under names like readers[0].tenant_id. Text that must
// be quoted so that YAML keeps it text (a 12-digit account id, whose
// leading zero a number would lose) needs no new shape: checkText already
// refuses an unquoted number and says to quote it.
type fieldType int

const (
	fieldText       fieldType = iota // string: one text
	fieldList                        // []string: a list of texts
	fieldTextOrList                  // References: one text, or a list of texts
	fieldFlag                        // bool: true or false
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

// fieldTypes maps the Go types the model may use to their shapes.
var fieldTypes = map[reflect.Type]fieldType{
	reflect.TypeFor[string]():     fieldText,
	reflect.TypeFor[[]string]():   fieldList,
	reflect.TypeFor[References](): fieldTextOrList,
	reflect.TypeFor[bool]():       fieldFlag,
}

func fieldsOf(t reflect.Type) []fieldSpec {
	var specs []fieldSpec
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		typ, known := fieldTypes[f.Type]
		if !known {
			panic(fmt.Sprintf("datasets: field %s.%s has type %s, which the loader cannot check", t.Name(), f.Name, f.Type))
		}
		specs = append(specs, fieldSpec{name: name, typ: typ, required: opts != "omitempty", index: i})
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

// inspectFields checks every key and the shape of every value of a file's
// mapping, in the order the file writes them, and returns the values that
// have the right shape, by field name.
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
