package naming

import (
	"regexp"
	"strings"
	"testing"
)

// The names are pinned: a reader configures its role's ARN, so a change to
// the formula must fail here before it replaces every reader role. The
// digests were computed independently:
// printf 'new_project\ngcp\n123456789012345678901' | sha256sum | cut -c1-8
func TestFederatedReaderRoleIsStable(t *testing.T) {
	cases := []struct {
		cloud    ReaderCloud
		identity string
		want     string
	}{
		{ReaderGCP, "123456789012345678901", "read_new_project-dec20326"},
		{ReaderAzure, "72f988bf-86f1-41af-91ab-2d7cd011db47/6e8b1f4a-2f0b-4c39-9d36-5f1a7c2e8b90", "read_new_project-9d953420"},
	}
	for _, c := range cases {
		if got := FederatedReaderRole("new_project", c.cloud, c.identity); got != c.want {
			t.Errorf("FederatedReaderRole(new_project, %s, %s) = %s; want %s", c.cloud, c.identity, got, c.want)
		}
	}
}

// iamRoleName is IAM's rule for role names.
var iamRoleName = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

func TestFederatedReaderRoleFitsIAMForEveryPullNameLength(t *testing.T) {
	for length := 1; length <= MaxPullNameLength; length++ {
		dataset := "a" + strings.Repeat("b", length-1)
		name := FederatedReaderRole(dataset, ReaderGCP, "123456789012345678901")
		if !iamRoleName.MatchString(name) {
			t.Errorf("a %d-character dataset gives %q (%d characters), which IAM refuses", length, name, len(name))
		}
		if length <= maxReaderRoleDataset && !strings.Contains(name, dataset) {
			t.Errorf("a %d-character dataset gives %q, which does not show the whole dataset name", length, name)
		}
	}
	longest := FederatedReaderRole(strings.Repeat("d", MaxPullNameLength), ReaderGCP, "1")
	if len(longest) != maxRoleNameLength {
		t.Errorf("the longest dataset name gives %q (%d characters); want exactly %d", longest, len(longest), maxRoleNameLength)
	}
}

func TestFederatedReaderRoleKeepsLongDatasetsApart(t *testing.T) {
	common := strings.Repeat("x", maxReaderRoleDataset)
	a := FederatedReaderRole(common+"_alpha", ReaderGCP, "123456789012345678901")
	b := FederatedReaderRole(common+"_bravo", ReaderGCP, "123456789012345678901")
	if a == b {
		t.Errorf("two datasets sharing their first %d characters both give %s", maxReaderRoleDataset, a)
	}
	// A cut that ends on an underscore does not leave "_-" in the name.
	cut := FederatedReaderRole(strings.Repeat("y", maxReaderRoleDataset-1)+"_tail", ReaderGCP, "1")
	if strings.Contains(cut, "_-") {
		t.Errorf("cut name %s keeps a trailing underscore", cut)
	}
}

func TestFederatedReaderRoleSeparatesCloudsAndIdentities(t *testing.T) {
	names := map[string]string{}
	for _, c := range []struct {
		cloud    ReaderCloud
		identity string
	}{
		{ReaderGCP, "123456789012345678901"},
		{ReaderGCP, "123456789012345678902"},
		{ReaderAzure, "123456789012345678901"},
	} {
		name := FederatedReaderRole("new_project", c.cloud, c.identity)
		key := string(c.cloud) + " " + c.identity
		for other, seen := range names {
			if seen == name {
				t.Errorf("%s and %s both give %s", key, other, name)
			}
		}
		names[key] = name
	}
}

// TestFederatedReaderPart: a reader role's logical id parses back as its
// pull dataset's, with the digest of its role name, and nothing else is
// taken for one.
func TestFederatedReaderPart(t *testing.T) {
	part := FederatedReaderPart("new_project", ReaderGCP, "123456789012345678901")
	if part != "reader_dec20326" || !IsFederatedReaderPart(part) {
		t.Errorf("FederatedReaderPart = %s; want reader_dec20326, the digest of read_new_project-dec20326", part)
	}
	id, ok := ParseLogicalID(DatasetLogicalID(KindPull, "new_project", part))
	if !ok || id != (LogicalID{Owner: OwnerPull, Dataset: "new_project", Part: part}) {
		t.Errorf("ParseLogicalID = %+v, %v", id, ok)
	}
	for _, other := range []string{"reader", "reader_", "reader_dec2032", "reader_dec203267", "reader_DEC20326", "bucket_policy"} {
		if IsFederatedReaderPart(other) {
			t.Errorf("IsFederatedReaderPart(%q) = true", other)
		}
	}
	tenant := AzureTenantProviderPart("72f988bf-86f1-41af-91ab-2d7cd011db47")
	if id, ok := ParseLogicalID(SharedLogicalID(tenant)); !ok || tenant != "azure_tenant_72f988bf_86f1_41af_91ab_2d7cd011db47" || id.Part != tenant {
		t.Errorf("AzureTenantProviderPart = %s, parsed %+v %v", tenant, id, ok)
	}
}
