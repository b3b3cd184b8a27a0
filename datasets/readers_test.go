package datasets

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/federation"
)

// Identities that follow every rule, invented.
const (
	gcpID       = "112233445566778899001"
	gcpEmail    = "reader@analysis-prod.iam.gserviceaccount.com"
	azureTenant = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	azureObject = "6e8b1f4a-2f0b-4c39-9d36-5f1a7c2e8b90"
	azureClient = "0f1e2d3c-4b5a-4968-8776-655443322110"
)

// gcpReaders is a gcp_readers field with one reader per item, each item's
// fields given as "key: value" lines.
func gcpReaders(items ...string) string { return readerList(federation.FieldGCPReaders, items) }

func azureReaders(items ...string) string { return readerList(federation.FieldAzureReaders, items) }

// readerList writes items (each "key: value" lines, joined by newlines) as a
// list of mappings.
func readerList(field string, items []string) string {
	var b strings.Builder
	b.WriteString(field + ":")
	for _, item := range items {
		for i, line := range strings.Split(item, "\n") {
			if i == 0 {
				b.WriteString("\n  - " + line)
			} else {
				b.WriteString("\n    " + line)
			}
		}
	}
	return b.String()
}

var (
	gcpItem   = `service_account_unique_id: "` + gcpID + `"`
	azureItem = "tenant_id: " + azureTenant + "\nobject_id: " + azureObject + "\nclient_id: " + azureClient
)

func TestReaders(t *testing.T) {
	const (
		uid    = "gcp_readers[0].service_account_unique_id"
		object = "azure_readers[0].object_id"
		client = "azure_readers[0].client_id"
	)
	runFileCases(t, []fileCase{
		// Valid: federated readers beside pull_arns, or instead of them.
		{name: "google reader beside pull_arns", kind: KindPull, content: file(KindPull, gcpReaders(gcpItem+"\nservice_account_email: "+gcpEmail))},
		{name: "azure reader, pull_arns empty", kind: KindPull, content: file(KindPull, "pull_arns: []", azureReaders(azureItem))},
		{name: "readers only, pull_arns left out", kind: KindPull, content: file(KindPull, "-pull_arns", gcpReaders(gcpItem), azureReaders(azureItem))},
		{name: "flow style", kind: KindPull, content: file(KindPull, `gcp_readers: [{service_account_unique_id: "`+gcpID+`"}]`)},

		// At least one reader of any kind.
		{name: "no reader of any kind", kind: KindPull, content: file(KindPull, "pull_arns: []", "gcp_readers: []"), field: "pull_arns", message: "is empty: list the IAM role of each reader"},
		{name: "readers in a push dataset", kind: KindPush, content: file(KindPush, gcpReaders(gcpItem)), field: "gcp_readers", message: "belongs to pull datasets, not push"},

		// The list's shape, and each item's.
		{name: "list as one reader's fields", kind: KindPull, content: file(KindPull, "gcp_readers:\n  "+gcpItem), field: "gcp_readers",
			message: `is a set of fields, but gcp_readers is a list: start each item with '  - ', as '  - service_account_unique_id: "<the service account's 21-digit unique id>"'`},
		{name: "list as one value", kind: KindPull, content: file(KindPull, "gcp_readers: "+gcpID), field: "gcp_readers", message: "is a single value, but gcp_readers is a list of items, each a set of fields"},
		{name: "item a single value", kind: KindPull, content: file(KindPull, `gcp_readers: ["`+gcpID+`"]`), field: "gcp_readers[0]", message: "is not a set of fields: each item of gcp_readers is written as field: value lines"},
		{name: "item a list", kind: KindPull, content: file(KindPull, "azure_readers: [[a, b]]"), field: "azure_readers[0]", message: "is not a set of fields"},
		{name: "field written twice", kind: KindPull, content: file(KindPull, gcpReaders(gcpItem+"\n"+gcpItem)), field: uid, message: "is written twice (lines 8 and 9): keep one"},
		{name: "field not text", kind: KindPull, content: file(KindPull, azureReaders(strings.Replace(azureItem, "object_id: "+azureObject, "object_id: ["+azureObject+"]", 1))), field: object,
			message: "is a list, but object_id is a single value: write object_id: " + azureObject},
		{name: "complex key", kind: KindPull, content: file(KindPull, gcpReaders(gcpItem+"\n? [a]\n: b")), field: "gcp_readers[0]", message: "line 9: a field name must be a single word such as service_account_unique_id or service_account_email"},

		// Keys: unknown, misspelt, of the other cloud, missing.
		{name: "misspelt key, value still checked", kind: KindPull, content: file(KindPull, azureReaders(strings.Replace(azureItem, "object_id:", "object-id:", 1))), field: "azure_readers[0].object-id", message: "is not a field of the items of azure_readers: write object_id instead"},
		{name: "the console's name for a field", kind: KindPull, content: file(KindPull, azureReaders(strings.Replace(azureItem, "object_id:", "principal_id:", 1))), field: "azure_readers[0].principal_id", message: "write object_id instead"},
		{name: "unknown key", kind: KindPull, content: file(KindPull, gcpReaders(gcpItem+"\nproject: analysis-prod")), field: "gcp_readers[0].project",
			message: "is not a field of the items of gcp_readers: their fields are service_account_unique_id and service_account_email"},
		{name: "a field of the other cloud", kind: KindPull, content: file(KindPull, gcpReaders(gcpItem+"\ntenant_id: "+azureTenant)), field: "gcp_readers[0].tenant_id",
			message: "is a field of the items of azure_readers, not of gcp_readers: move this item under azure_readers"},
		{name: "missing object_id", kind: KindPull, content: file(KindPull, azureReaders("tenant_id: "+azureTenant+"\nclient_id: "+azureClient)), field: object,
			message: "is missing, which would trust every principal in the tenant: write the object id of the managed identity or service principal that reads"},
		{name: "missing unique id", kind: KindPull, content: file(KindPull, gcpReaders("service_account_email: "+gcpEmail)), field: uid, message: "is missing: write the service account's unique id, 21 digits in quotes"},

		// Values, as the federation package checks them.
		{name: "unique id unquoted", kind: KindPull, content: file(KindPull, gcpReaders("service_account_unique_id: "+gcpID)), field: uid,
			message: `is written without quotes, and YAML reads a 21-digit number as a decimal that loses its last digits: write service_account_unique_id: "` + gcpID + `"`},
		{name: "unique id rounded", kind: KindPull, content: file(KindPull, gcpReaders("service_account_unique_id: 1.1223344556677889e+20")), field: uid, message: "is 1.1223344556677889e+20, a number rounded"},
		{name: "unique id unquoted and short", kind: KindPull, content: file(KindPull, gcpReaders("service_account_unique_id: 12345")), field: uid, message: "has 5 digits, but a service account's unique id has 21"},
		{name: "email as the unique id", kind: KindPull, content: file(KindPull, gcpReaders("service_account_unique_id: "+gcpEmail)), field: uid, message: "is an email address"},
		{name: "email a YAML 1.1 word", kind: KindPull, content: file(KindPull, gcpReaders(gcpItem+"\nservice_account_email: yes")), field: "gcp_readers[0].service_account_email", message: `put it in quotes, service_account_email: "yes"`},
		{name: "upper-case tenant id", kind: KindPull, content: file(KindPull, azureReaders(strings.Replace(azureItem, azureTenant, strings.ToUpper(azureTenant), 1))), field: "azure_readers[0].tenant_id", message: "has upper-case letters: write it in lower case, " + azureTenant},
		{name: "Microsoft's own application", kind: KindPull, content: file(KindPull, azureReaders(strings.Replace(azureItem, azureClient, "04b07795-8ddb-461a-bbee-02f9e1bf7b46", 1))), field: client, message: "is the client id of Microsoft's own Azure CLI"},
		{name: "reader listed twice", kind: KindPull, content: file(KindPull, gcpReaders(gcpItem, gcpItem)), field: "gcp_readers[1]", message: "repeats gcp_readers[0]"},
	})
}

// TestReaderProblemsInOneRun: a misspelt list is reported with its items'
// problems under the name written, and every item's own problems with them.
func TestReaderProblemsInOneRun(t *testing.T) {
	dir := t.TempDir()
	path := writeDataset(t, dir, KindPull, "new_project.yaml", file(KindPull, "-pull_arns",
		"gcp_reader:\n  - service_account_unique_id: 123\n  - service_account_unique_id: \""+gcpID+"\"\n    service_account_email: Reader@x.iam.gserviceaccount.com",
		azureReaders("tenant_id: contoso.onmicrosoft.com\nobject_id: "+azureClient+"\nclient_id: "+azureClient, "tenant_id: "+azureTenant)))
	assertProblems(t, problemsOf(t, second(Load(dir))), []Problem{
		{path, "gcp_reader", "is not a field of a pull dataset: write gcp_readers instead"},
		{path, "gcp_reader[0].service_account_unique_id", "has 3 digits"},
		{path, "azure_readers[1].object_id", "is missing, which would trust every principal"},
		{path, "azure_readers[1].client_id", "is missing: write the client id"},
		{path, "gcp_reader[1].service_account_email", "has upper-case letters"},
		{path, "azure_readers[0].tenant_id", "is a domain name"},
	})
}

// TestTenantLimitAcrossDatasets: the readers of one tenant share its OIDC
// provider, whose client ids IAM limits, across every dataset.
func TestTenantLimitAcrossDatasets(t *testing.T) {
	reader := func(i int) string {
		return fmt.Sprintf("tenant_id: %s\nobject_id: %s\nclient_id: 0f1e2d3c-4b5a-4968-8776-%012d", azureTenant, azureObject[:24]+fmt.Sprintf("%012d", i), i)
	}
	var firstFile, secondFile []string
	for i := range federation.MaxClientIDsPerProvider + 1 {
		if i < 60 {
			firstFile = append(firstFile, reader(i))
		} else {
			secondFile = append(secondFile, reader(i))
		}
	}
	dir := t.TempDir()
	a := writeDataset(t, dir, KindPull, "a.yaml", file(KindPull, "name: a", azureReaders(firstFile...)))
	b := writeDataset(t, dir, KindPull, "b.yaml", file(KindPull, "name: b", azureReaders(secondFile...)))
	want := "is an application of tenant " + azureTenant + ", whose readers in every dataset share one OIDC provider, and the tenant has readers with 101 different client ids, but the tenant's OIDC provider may list at most 100"
	assertProblems(t, problemsOf(t, second(Load(dir))), []Problem{
		{a, "azure_readers[0].client_id", want},
		{b, "azure_readers[0].client_id", want},
	})
	// One fewer fits.
	writeDataset(t, dir, KindPull, "b.yaml", file(KindPull, "name: b", azureReaders(secondFile[1:]...)))
	if _, err := Load(dir); err != nil {
		t.Fatalf("100 client ids in a tenant fit its provider: %v", err)
	}
}

// TestReadersLoad: readers load in the file's order, as Readers lists them.
func TestReadersLoad(t *testing.T) {
	dir := t.TempDir()
	writeDataset(t, dir, KindPull, "new_project.yaml", file(KindPull, "-pull_arns",
		azureReaders(azureItem),
		gcpReaders(gcpItem+"\nservice_account_email: "+gcpEmail, `service_account_unique_id: "998877665544332211001"`)))
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	pull := set.Pull[0]
	want := []federation.Reader{
		federation.GCPReader{ServiceAccountUniqueID: gcpID, ServiceAccountEmail: gcpEmail},
		federation.GCPReader{ServiceAccountUniqueID: "998877665544332211001"},
		federation.AzureReader{TenantID: azureTenant, ObjectID: azureObject, ClientID: azureClient},
	}
	if got := pull.Readers(); !reflect.DeepEqual(got, want) || pull.PullARNs != nil {
		t.Fatalf("Readers() = %+v, pull_arns %q; want %+v and none", got, pull.PullARNs, want)
	}
}

// TestEncodeReaders: readers encode as a list of mappings, the unique id
// quoted, the email only when set, and load back as the same dataset.
func TestEncodeReaders(t *testing.T) {
	dataset := Pull{
		Name:         "new_project",
		GCPReaders:   []federation.GCPReader{{ServiceAccountUniqueID: gcpID, ServiceAccountEmail: gcpEmail}, {ServiceAccountUniqueID: "998877665544332211001"}},
		AzureReaders: []federation.AzureReader{{TenantID: azureTenant, ObjectID: azureObject, ClientID: azureClient}},
		Users:        []string{"alpha_user_jo"},
		Paperwork:    References{"DPIA 17056"},
	}
	encoded, err := Encode(dataset)
	if err != nil {
		t.Fatal(err)
	}
	want := "name: new_project\npull_arns: []\n" +
		"gcp_readers:\n  - service_account_unique_id: \"" + gcpID + "\"\n    service_account_email: " + gcpEmail + "\n" +
		"  - service_account_unique_id: \"998877665544332211001\"\n" +
		"azure_readers:\n  - tenant_id: " + azureTenant + "\n    object_id: " + azureObject + "\n    client_id: " + azureClient + "\n" +
		"users:\n  - alpha_user_jo\npaperwork: DPIA 17056\n"
	if string(encoded) != want {
		t.Fatalf("Encode =\n%s\nwant\n%s", encoded, want)
	}
	dir := t.TempDir()
	writeDataset(t, dir, KindPull, "new_project.yaml", string(encoded))
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	dataset.PullARNs = []string{}
	if got := withoutFiles(*set).Pull[0]; !reflect.DeepEqual(got, dataset) {
		t.Fatalf("Load(Encode(%+v)) = %+v", dataset, got)
	}
}
