package migrate

import (
	"bytes"
	"strings"

	yaml "sigs.k8s.io/yaml/goyaml.v3"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Our files are written through YAML nodes rather than from the dataset
// model, because the owners' comments travel with their fields, and an
// undecided value must be written as the earlier tool had it
// (allow_push: [False]), which the model cannot hold.

// fieldOrder is each kind's fields in the order our files write them.
var fieldOrder = map[naming.Kind][]string{
	naming.KindPush: modelFields(datasets.Push{}),
	naming.KindPull: modelFields(datasets.Pull{}),
}

// Encode is our dataset file: the fields in our order, two-space
// indentation, the comments kept, a final newline.
func (m *Migrated) Encode() ([]byte, error) {
	root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, name := range fieldOrder[m.Source.Kind] {
		field, ok := m.fields[name]
		if !ok {
			continue
		}
		key := text(name)
		key.HeadComment = strings.Join(field.above, "\n")
		if field.value.Kind == yaml.ScalarNode || field.value.Style&yaml.FlowStyle != 0 {
			field.value.LineComment = field.inline
		} else {
			key.LineComment = field.inline
		}
		root.Content = append(root.Content, key, field.value)
	}
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root},
		HeadComment: strings.Join(m.header, "\n"), FootComment: strings.Join(m.footer, "\n")}
	var out bytes.Buffer
	encoder := yaml.NewEncoder(&out)
	encoder.SetIndent(2)
	if err := encoder.Encode(doc); err != nil {
		return nil, err
	}
	if err := encoder.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
