package naming

import "path"

// SchemaDir holds the JSON Schema of each kind's dataset files, relative to
// the repository root. Editors read it through the yaml-language-server line
// at the top of each file; `go run ./cmd/exports schema` writes it from the
// model.
const SchemaDir = "datasets/schema"

// SchemaFile is the JSON Schema of kind's dataset files, relative to the
// repository root: "datasets/schema/push.schema.json".
func SchemaFile(kind Kind) string { return path.Join(SchemaDir, string(kind)+".schema.json") }
