package federation

import (
	"os/exec"
	"strings"
	"testing"
)

// The package is pure Go, for the CDKTF-free tool (validate, plan summary,
// deploy gate) as much as for the constructs, and the dataset model embeds
// its types: it must depend on neither.
func TestImportsNeitherCDKTFNorTheDatasetModel(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, forbidden := range []string{"terraform-cdk-go", "cdktf-provider-aws-go", "jsii-runtime-go", "constructs-go", "aws-sdk-go", "data-engineering-exports/datasets"} {
			if strings.Contains(dep, forbidden) {
				t.Errorf("federation depends on %s", dep)
			}
		}
	}
}
