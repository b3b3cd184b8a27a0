package datasets

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	yamlnode "sigs.k8s.io/yaml/goyaml.v3"
)

// Encode renders a dataset as the file an analyst would write: its fields in
// the model's order, two-space indents, flags only when true, one reference
// as a plain value and several as a list, federated readers only when there
// are some (each a mapping of its fields, the optional email only when
// set), and text quoted where YAML would
// read it as something else (yes, 0123, ~, 2024-01-31) or cannot hold it
// unquoted (#, ": "). Load reads the file back as the same dataset. It fails
// only on text that is not UTF-8, which no YAML file can hold as text.
func Encode[D Push | Pull](dataset D) ([]byte, error) {
	kind := KindPush
	if _, pull := any(dataset).(Pull); pull {
		kind = KindPull
	}
	root := encodeMapping(schemas[kind], reflect.ValueOf(dataset))
	var out bytes.Buffer
	encoder := yamlnode.NewEncoder(&out)
	encoder.SetIndent(2)
	if err := errors.Join(encoder.Encode(root), encoder.Close()); err != nil {
		return nil, fmt.Errorf("encode a %s dataset: %w", kind, err)
	}
	return out.Bytes(), nil
}

// encodeMapping is the mapping of a struct's fields (a dataset, or an item
// of a list of mappings), in the model's order: optional fields only when
// set.
func encodeMapping(specs []fieldSpec, fields reflect.Value) *yamlnode.Node {
	mapping := &yamlnode.Node{Kind: yamlnode.MappingNode}
	for _, spec := range specs {
		field := fields.Field(spec.index)
		if !spec.required && field.IsZero() {
			continue
		}
		mapping.Content = append(mapping.Content, textNode(spec.name), encodeValue(spec, field))
	}
	return mapping
}

// encodeValue is the node of one field's value.
func encodeValue(spec fieldSpec, field reflect.Value) *yamlnode.Node {
	switch spec.typ {
	case fieldMappings:
		list := &yamlnode.Node{Kind: yamlnode.SequenceNode, Tag: "!!seq"}
		for i := range field.Len() {
			list.Content = append(list.Content, encodeMapping(spec.item.fields, field.Index(i)))
		}
		return list
	case fieldText:
		return textNode(field.String())
	case fieldFlag:
		return &yamlnode.Node{Kind: yamlnode.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(field.Bool())}
	case fieldTextOrList:
		if field.Len() == 1 {
			return textNode(field.Index(0).String())
		}
	}
	list := &yamlnode.Node{Kind: yamlnode.SequenceNode, Tag: "!!seq"}
	if field.Len() == 0 {
		list.Style = yamlnode.FlowStyle // []
	}
	for i := range field.Len() {
		list.Content = append(list.Content, textNode(field.Index(i).String()))
	}
	return list
}

// textNode is a text scalar. The encoder itself quotes text that YAML 1.2
// would read as another type, or cannot write plain; mustQuote adds what it
// misses.
func textNode(text string) *yamlnode.Node {
	n := &yamlnode.Node{Kind: yamlnode.ScalarNode, Tag: "!!str", Value: text}
	if mustQuote(text) {
		n.Style = yamlnode.DoubleQuotedStyle
	}
	return n
}

// mustQuote is true for the YAML 1.1 true/false words, which the loader
// refuses unquoted (see yaml11Booleans); for <<, which yaml.v3 reads
// unquoted as a merge key; and for text with tabs or line breaks, which
// double quotes write as escapes where a literal block could start a line
// with a tab, which the loader refuses.
func mustQuote(text string) bool {
	_, yaml11 := yaml11Booleans[text]
	return yaml11 || text == "<<" || strings.ContainsAny(text, "\t\n\r\u0085\u2028\u2029")
}
