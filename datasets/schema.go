package datasets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// The JSON Schema of each kind's dataset files, for editors: the
// yaml-language-server line at the top of a file points at it, and the
// editor then completes field names, shows each field's help on hover and
// marks a wrong shape as it is typed. It is generated from the model (the
// json tags and Go types of Push and Pull, and fieldHelp), written to
// naming.SchemaFile by `go run ./cmd/exports schema`, and a test fails when
// the committed files differ from what the model gives.
//
// Load stays the judge: the schema says less than the rules (it cannot tell
// a bucket ARN from a bucket name, say) and never more, so that an editor
// never marks a file that validate accepts.

// SchemaDialect is the JSON Schema version of the generated schemas: draft-07
// is the one every yaml-language-server release reads.
const SchemaDialect = "http://json-schema.org/draft-07/schema#"

// Schema is one JSON Schema, as far as the dataset files need one: an object
// of fields, a text, a flag, a list, or one of several shapes.
type Schema struct {
	Dialect     string `json:"$schema,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	// Type is object, string, boolean or array; empty with AnyOf.
	Type                 string     `json:"type,omitempty"`
	Properties           Properties `json:"properties,omitempty"`
	Required             []string   `json:"required,omitempty"`
	AdditionalProperties *bool      `json:"additionalProperties,omitempty"`
	Items                *Schema    `json:"items,omitempty"`
	MinItems             int        `json:"minItems,omitempty"`
	UniqueItems          bool       `json:"uniqueItems,omitempty"`
	Pattern              string     `json:"pattern,omitempty"`
	MaxLength            int        `json:"maxLength,omitempty"`
	AnyOf                []*Schema  `json:"anyOf,omitempty"`
	// Examples holds one whole value of the field that validate accepts.
	Examples []any `json:"examples,omitempty"`
}

// Property is one field of an object, by the name a file writes.
type Property struct {
	Name   string
	Schema *Schema
}

// Properties are an object's fields in the model's order, which JSON keeps
// as written so that an editor lists them as a file writes them.
type Properties []Property

// MarshalJSON writes the properties as one JSON object, in order.
func (ps Properties) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			buf.WriteByte(',')
		}
		name, err := marshal(p.Name)
		if err != nil {
			return nil, err
		}
		value, err := marshal(p.Schema)
		if err != nil {
			return nil, err
		}
		buf.Write(name)
		buf.WriteByte(':')
		buf.Write(value)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// Property is the schema of the field called name, or nil.
func (s *Schema) Property(name string) *Schema {
	for _, p := range s.Properties {
		if p.Name == name {
			return p.Schema
		}
	}
	return nil
}

// IsRequired says whether a file must write the field called name.
func (s *Schema) IsRequired(name string) bool {
	for _, r := range s.Required {
		if r == name {
			return true
		}
	}
	return false
}

// JSON is the schema as indented JSON with a final newline, the bytes of
// its file: the same model always gives the same bytes.
func (s *Schema) JSON() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the help shows <name>; keep it readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		// A Schema holds texts, numbers, flags and the examples of
		// fieldHelp, all JSON values: encoding cannot fail.
		panic(err)
	}
	return buf.Bytes()
}

// marshal is json.Marshal without escaping <, > and &.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// JSONSchema is the schema of kind's dataset files.
func JSONSchema(kind Kind) *Schema {
	model, maxName := reflect.TypeFor[Push](), naming.MaxPushNameLength
	if kind == KindPull {
		model, maxName = reflect.TypeFor[Pull](), naming.MaxPullNameLength
	}
	s := objectSchema(kind, model, "")
	s.Dialect = SchemaDialect
	s.Title = fmt.Sprintf("A %s dataset file, %s", kind, naming.DatasetFile(naming.DatasetsDir, kind, "<name>"))
	s.Description = kindHelp[kind] + " Generated from the model (datasets/model.go) by `go run ./cmd/exports schema`: do not edit."
	name := s.Property("name")
	name.Pattern, name.MaxLength = namePattern.String(), maxName
	return s
}

// objectSchema is the schema of a mapping whose fields are the struct t's:
// a whole file, or an item of a list of mappings at path.
func objectSchema(kind Kind, t reflect.Type, path string) *Schema {
	closed := false // a field the model does not know is a problem
	s := &Schema{Type: "object", AdditionalProperties: &closed}
	for _, spec := range fieldsOf(t) {
		// A field that others may stand in for is required only as one of
		// its group: the file must write one of them (checkReaders).
		if alternatives := standIns[spec.name]; spec.required && len(alternatives) > 0 {
			spec.required = false
			for _, name := range append([]string{spec.name}, alternatives...) {
				s.AnyOf = append(s.AnyOf, &Schema{Required: []string{name}})
			}
		}
		fieldPath := spec.name
		if path != "" {
			fieldPath = path + "." + spec.name
		}
		field := valueSchema(kind, t.Field(spec.index).Type, fieldPath, spec.required)
		help := helpFor(kind, fieldPath)
		field.Description = help.Description
		if help.Example != nil {
			field.Examples = []any{exampleValue(field, help.Example)}
		}
		s.Properties = append(s.Properties, Property{Name: spec.name, Schema: field})
		if spec.required {
			s.Required = append(s.Required, spec.name)
		}
	}
	return s
}

// valueSchema is the schema of a field's value, by its Go type: the shapes
// fieldTypes lists, and lists of mappings (slices of structs).
func valueSchema(kind Kind, t reflect.Type, path string, required bool) *Schema {
	text := func() *Schema { return &Schema{Type: "string"} }
	// A required list must have an item, and no list may repeat one
	// (checkItems).
	list := func(item *Schema) *Schema {
		s := &Schema{Type: "array", Items: item, UniqueItems: true}
		if required {
			s.MinItems = 1
		}
		return s
	}
	switch {
	case t == reflect.TypeFor[References]():
		return &Schema{AnyOf: []*Schema{text(), list(text())}}
	case t == reflect.TypeFor[string]():
		return text()
	case t == reflect.TypeFor[bool]():
		return &Schema{Type: "boolean"}
	case t == reflect.TypeFor[[]string]():
		return list(text())
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		s := list(objectSchema(kind, t.Elem(), path))
		s.UniqueItems = false // items are told apart by their own checks
		return s
	}
	panic(fmt.Sprintf("datasets: the field %s has type %s, which the schema cannot describe", path, t))
}

// exampleValue is example as a whole value of field: a list's example is
// one item.
func exampleValue(field *Schema, example any) any {
	if field.Type == "array" {
		return []any{example}
	}
	return example
}

// FieldHelp says, for the analyst, what a field is and how to write it.
// Editors show it on hover, and `exports new` writes it above the field.
type FieldHelp struct {
	Description string
	// Example is a value validate accepts: for a list, one item.
	Example any
}

// kindHelp introduces each kind's files.
var kindHelp = map[Kind]string{
	KindPush: "Files written under s3://" + naming.ExportBucket + "/<name>/ are delivered to the recipient's bucket, under the same key.",
	KindPull: "The dataset gets a bucket of its own, " + naming.PullBucket("<name>") + " (underscores become hyphens), which the roles in pull_arns read.",
}

// fieldHelp is the help of every field, keyed by its path ("users", or
// "list.field" for a field of a list's items), or by "<kind>.<path>" where
// the kinds differ. TestFieldHelpCoversTheModel requires an entry for every
// field and no other, so that a new field cannot be added without its help.
var fieldHelp = map[string]FieldHelp{
	"gcp_readers": {
		Description: "Optional. Google Cloud service accounts that may read the bucket without AWS keys, each through a role of its own that trusts that one account; with allow_push they may write too. A pull dataset needs at least one reader: pull_arns, gcp_readers or azure_readers.",
		Example:     map[string]any{"service_account_unique_id": "104523178690123456789", "service_account_email": "caseload-reader@probation-analysis.iam.gserviceaccount.com"},
	},
	"gcp_readers.service_account_unique_id": {
		Description: "The service account's 21-digit unique id, in quotes: the one thing its role trusts, which Google never gives to another account.",
		Example:     "104523178690123456789",
	},
	"gcp_readers.service_account_email": {
		Description: "Optional. The service account's email, for people to read: the role does not trust it.",
		Example:     "caseload-reader@probation-analysis.iam.gserviceaccount.com",
	},
	"azure_readers": {
		Description: "Optional. Managed identities or service principals in a Microsoft Entra ID tenant that may read the bucket without AWS keys, each through a role of its own; with allow_push they may write too.",
		Example:     map[string]any{"tenant_id": "2f6d3c1e-8b4a-4e5f-9a7d-1c3b5e7f9a2d", "object_id": "9c1e5a7b-3d2f-4b6a-8e0c-7f1d3b5a9c2e", "client_id": "5b8d2f4a-6c1e-4a3b-9d7f-0e2c4a6b8d1f"},
	},
	"azure_readers.tenant_id": {
		Description: "The Entra tenant (directory) id.",
		Example:     "2f6d3c1e-8b4a-4e5f-9a7d-1c3b5e7f9a2d",
	},
	"azure_readers.object_id": {
		Description: "The object id of the managed identity or service principal: without it the role would trust the whole tenant.",
		Example:     "9c1e5a7b-3d2f-4b6a-8e0c-7f1d3b5a9c2e",
	},
	"azure_readers.client_id": {
		Description: "The application (client) id of the app registration the reader gets its tokens for.",
		Example:     "5b8d2f4a-6c1e-4a3b-9d7f-0e2c4a6b8d1f",
	},
	"name": {
		Description: "The dataset's name, equal to the file name without .yaml: lower-case letters, digits and single underscores, starting with a letter and ending with a letter or digit. Every AWS name of the export is made from it, so it cannot change later.",
		Example:     "new_project",
	},
	"bucket": {
		Description: "The name of the recipient's S3 bucket, as its owner gives it: the name alone, not an ARN, an s3:// URL or a path. Files arrive in it under <name>/, with the keys they were written with.",
		Example:     "recipient-landing-bucket",
	},
	"bucket_account": {
		Description: "The 12-digit AWS account that owns the recipient's bucket, in quotes (a leading 0 is easily lost otherwise). The mover delivers only while that account owns the bucket, so a bucket name given up and registered by someone else receives nothing. Ask the recipient's platform team: no AWS request tells us.",
		Example:     "123456789012",
	},
	"push.users": {
		Description: "The Analytical Platform users who may write files for this export, as their IAM role names: alpha_user_ followed by the GitHub user name in lower case, each once.",
		Example:     "alpha_user_jo-bloggs",
	},
	"pull.users": {
		Description: "The Analytical Platform users who may read, write and delete in the dataset's bucket, as their IAM role names: alpha_user_ followed by the GitHub user name in lower case, each once.",
		Example:     "alpha_user_jo-bloggs",
	},
	"paperwork": {
		Description: "The DPIA or data sharing agreement that covers this export: a link (https://...), or the document's name and identifier (DPIA 17056); several as a list.",
		Example:     "https://intranet.example/dpia/new-project",
	},
	"keep_files": {
		Description: "Optional. true: copy each file to the recipient and keep it in " + naming.ExportBucket + ". false, the default: move it, deleting it from " + naming.ExportBucket + " once its copy is checked.",
		Example:     true,
	},
	"pull_arns": {
		Description: "The IAM roles in other AWS accounts that may read the dataset's bucket, each as its full ARN, arn:aws:iam::<12-digit account>:role/<role name>: not a bucket, a user, an account or a wildcard.",
		Example:     "arn:aws:iam::754256621582:role/new-project-reader",
	},
	"allow_push": {
		Description: "Optional. true: the pull_arns roles may also write objects into the bucket. false, the default: they may only list and read.",
		Example:     true,
	},
	"bucket_versioning": {
		Description: "Optional. true: turn on S3 versioning, so that overwritten and deleted objects can be recovered. false, the default: no versioning. Turning it off later is flagged to the reviewer as data at risk.",
		Example:     true,
	},
}

// helpFor is the help of the field at path in kind's files.
func helpFor(kind Kind, path string) FieldHelp {
	if help, ok := fieldHelp[string(kind)+"."+path]; ok {
		return help
	}
	return fieldHelp[path]
}
