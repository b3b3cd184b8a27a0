package federation

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
)

// Problem is one mistake in a dataset's readers, worded like every other
// dataset problem: what is wrong and what to write instead.
type Problem struct {
	// Field is where the mistake is, relative to the dataset file:
	// "gcp_readers[0].service_account_unique_id", or "azure_readers[1]" for a
	// whole reader.
	Field string
	// Message starts with a verb ("is ...", "has ..."), to follow the field.
	Message string
}

// The lists of readers in a pull dataset file.
const (
	FieldGCPReaders   = "gcp_readers"
	FieldAzureReaders = "azure_readers"
)

// uniqueIDLength is the number of digits of a Google service account's unique id.
const uniqueIDLength = 21

var (
	digitsOnly = regexp.MustCompile(`^[0-9]+$`)
	// roundedNumber is how a number too big for a float looks once YAML, a
	// JSON tool or a spreadsheet has rounded it: 1.2345678901234568e+20.
	roundedNumber = regexp.MustCompile(`^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$`)
	uuidPattern   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	domainName    = regexp.MustCompile(`^([a-z0-9-]+\.)+[a-z]{2,}$`)
)

// findUniqueID says how a reader finds their service account's unique id.
const findUniqueID = "gcloud iam service-accounts describe <email> --format='value(uniqueId)' prints it"

// UniqueIDProblem says why id is not a Google service account's unique id,
// and what to write instead; "" when it is one.
func UniqueIDProblem(id string) string {
	write := fmt.Sprintf("write the service account's unique id, %d digits in quotes (%s)", uniqueIDLength, findUniqueID)
	switch {
	case id == "":
		return "is empty: " + write
	case strings.Contains(id, "@"):
		return "is an email address, but the role trusts the service account's unique id, which Google never gives to another account (an email can be deleted and re-created by someone else): " + write + ", and keep the email in " + FieldEmail
	case roundedNumber.MatchString(id):
		return fmt.Sprintf("is %s, a number rounded by YAML, a JSON tool or a spreadsheet that could not hold %d digits: copy the unique id again and write it in quotes (%s)", id, uniqueIDLength, findUniqueID)
	case strings.HasPrefix(id, "projects/"):
		return "is a resource name, but the role trusts the service account's unique id: " + write
	case !digitsOnly.MatchString(id):
		return "is a name, not the service account's unique id: " + write
	case len(id) == 12:
		return fmt.Sprintf("has 12 digits, like a project number, but a service account's unique id has %d: %s", uniqueIDLength, write)
	case len(id) != uniqueIDLength:
		return fmt.Sprintf("has %d digits, but a service account's unique id has %d: copy it again (%s) and write it in quotes", len(id), uniqueIDLength, findUniqueID)
	case strings.HasSuffix(id, "000000"):
		// A spreadsheet keeps 15 significant digits and pads the rest with
		// zeros; a real id ends in six zeros once in a million.
		return fmt.Sprintf("ends in six zeros, as a %d-digit number does once a spreadsheet has rounded it to 15 digits: copy the unique id again (%s) and write it in quotes", uniqueIDLength, findUniqueID)
	}
	return ""
}

// UnquotedUniqueIDProblem is the problem with a unique id written without
// quotes (written as it appears in the file): YAML reads 21 digits as a
// number too big to hold exactly, so the id would silently lose digits.
func UnquotedUniqueIDProblem(written string) string {
	return fmt.Sprintf("is written without quotes, and YAML reads a %d-digit number as a decimal that loses its last digits: write %s: \"%s\"", uniqueIDLength, FieldUniqueID, written)
}

// EmailProblem says why email is not a service account's email; "" when it
// is one or is empty (the field is optional).
func EmailProblem(email string) string {
	const write = "write the service account's email, e.g. reader@project-id.iam.gserviceaccount.com, or leave the field out"
	switch {
	case email == "":
		return ""
	case digitsOnly.MatchString(email):
		return "is a number, but " + FieldEmail + " is the service account's email address: the unique id belongs in " + FieldUniqueID
	case !strings.Contains(email, "@"):
		return "is not an email address: " + write
	case strings.ToLower(email) != email:
		return "has upper-case letters, but service account emails are lower case: write " + strings.ToLower(email)
	case !strings.HasSuffix(email, ".gserviceaccount.com"):
		return "is not a service account's email (those end in .gserviceaccount.com), and readers are service accounts: " + write
	}
	return ""
}

// How a reader finds each Azure id.
const (
	findTenantID = "az account show --query tenantId -o tsv prints it"
	findObjectID = "for a managed identity, az identity show --name <name> --resource-group <group> --query principalId -o tsv; for a service principal, az ad sp show --id <its application id> --query id -o tsv (the Enterprise application's object id, not the app registration's)"
	findClientID = "the Application (client) ID on the overview page of the reader's app registration"
)

// TenantIDProblem says why id is not an Entra tenant id; "" when it is one.
func TenantIDProblem(id string) string {
	switch strings.ToLower(id) {
	case "common", "organizations", "consumers":
		return fmt.Sprintf("is %s, which stands for many tenants, but a reader is in one: write the reader's tenant id (%s)", id, findTenantID)
	}
	if domainName.MatchString(strings.ToLower(id)) {
		return fmt.Sprintf("is a domain name, but the role trusts the tenant id, a UUID that never changes while domain names can be added and removed: write the tenant id (%s)", findTenantID)
	}
	return uuidProblem(id, "the reader's tenant id", findTenantID)
}

// ObjectIDProblem says why id is not the object id of an Entra principal;
// "" when it is one.
func ObjectIDProblem(id string) string {
	if id == "" {
		return fmt.Sprintf("is empty, which would trust every principal in the tenant: write the object id of the managed identity or service principal that reads (%s)", findObjectID)
	}
	return uuidProblem(id, "the object id of the managed identity or service principal that reads", findObjectID)
}

// ClientIDProblem says why id is not the client id of an application the
// reader registered; "" when it is one.
func ClientIDProblem(id string) string {
	if rest, ok := strings.CutPrefix(id, "api://"); ok {
		return fmt.Sprintf("is an Application ID URI, but %s is the application's client id: write %s", FieldClientID, strings.ToLower(strings.Trim(rest, "/")))
	}
	if problem := uuidProblem(id, "the client id of the application the reader gets tokens for", findClientID); problem != "" {
		return problem
	}
	if name := microsoftApp(id); name != "" {
		return fmt.Sprintf("is the client id of Microsoft's own %s, not of an application the reader registered: anyone in any tenant can get tokens for it, and Microsoft, not the reader, decides what they hold: ask the reader to register an application for this export and write its client id (%s)", name, findClientID)
	}
	return ""
}

// uuidProblem says why value is not a lower-case UUID; what names the value
// and find says where to get it.
func uuidProblem(value, what, find string) string {
	write := fmt.Sprintf("write %s (%s)", what, find)
	switch {
	case value == "":
		return "is empty: " + write
	case uuidPattern.MatchString(value):
		return ""
	case strings.HasPrefix(value, "{") && strings.HasSuffix(value, "}"):
		inner := strings.ToLower(value[1 : len(value)-1])
		if uuidPattern.MatchString(inner) {
			return "has braces around it: write it without them, " + inner
		}
	case strings.Contains(value, "@"):
		return "is an email address, but the role trusts ids that never change: " + write
	case uuidPattern.MatchString(strings.ToLower(value)):
		return "has upper-case letters: write it in lower case, " + strings.ToLower(value)
	}
	return "is not a UUID (8-4-4-4-12 hexadecimal digits): " + write
}

// Problems are the mistakes in one Google reader's fields, with fields
// relative to the reader ("service_account_unique_id").
func (r GCPReader) Problems() []Problem {
	return nonEmpty(
		Problem{FieldUniqueID, UniqueIDProblem(r.ServiceAccountUniqueID)},
		Problem{FieldEmail, EmailProblem(r.ServiceAccountEmail)},
	)
}

// Problems are the mistakes in one Azure reader's fields, including ids
// written in the wrong field, with fields relative to the reader.
func (r AzureReader) Problems() []Problem {
	problems := nonEmpty(
		Problem{FieldTenantID, TenantIDProblem(r.TenantID)},
		Problem{FieldObjectID, ObjectIDProblem(r.ObjectID)},
		Problem{FieldClientID, ClientIDProblem(r.ClientID)},
	)
	if len(problems) > 0 {
		return problems
	}
	switch {
	case r.ObjectID == r.ClientID:
		return []Problem{{FieldObjectID, "is the same as client_id, but one is the principal that reads and the other the application it gets tokens for (a managed identity's client id is not its object id): write the object id (" + findObjectID + ")"}}
	case r.ObjectID == r.TenantID:
		return []Problem{{FieldObjectID, "is the same as tenant_id: write the object id of the principal that reads (" + findObjectID + ")"}}
	case r.ClientID == r.TenantID:
		return []Problem{{FieldClientID, "is the same as tenant_id: write the client id of the application the reader gets tokens for (" + findClientID + ")"}}
	}
	return nil
}

func nonEmpty(problems ...Problem) []Problem {
	return slices.DeleteFunc(problems, func(p Problem) bool { return p.Message == "" })
}

// ReaderProblems are every mistake in one pull dataset's readers: each
// reader's fields, readers listed twice, and anything that would break an
// AWS limit. Fields are relative to the dataset file
// ("gcp_readers[1].service_account_unique_id").
func ReaderProblems(dataset string, gcp []GCPReader, azure []AzureReader) []Problem {
	var problems []Problem
	// valid are the readers whose fields are right, for the checks that need
	// whole readers.
	type listed struct {
		item   string // "gcp_readers[0]"
		reader Reader
	}
	var valid []listed
	add := func(list string, i int, r Reader, own []Problem) {
		item := fmt.Sprintf("%s[%d]", list, i)
		for _, p := range own {
			problems = append(problems, Problem{item + "." + p.Field, p.Message})
		}
		if len(own) == 0 {
			valid = append(valid, listed{item, r})
		}
	}
	for i, r := range gcp {
		add(FieldGCPReaders, i, r, r.Problems())
	}
	for i, r := range azure {
		add(FieldAzureReaders, i, r, r.Problems())
	}
	byIdentity := map[string]string{}
	byRole := map[string]string{}
	for _, v := range valid {
		item, r := v.item, v.reader
		key := string(r.Cloud()) + " " + r.Identity()
		role := RoleName(dataset, r)
		if first, seen := byIdentity[key]; seen {
			problems = append(problems, Problem{item, fmt.Sprintf("repeats %s (%s): list each reader once, since one identity needs one role", first, r)})
			continue
		}
		byIdentity[key] = item
		if first, seen := byRole[role]; seen {
			problems = append(problems, Problem{item, fmt.Sprintf("gets the role name %s, as %s does (their digests clash, about once in four billion pairs): ask the data engineering team, who must change how reader roles are named", role, first)})
			continue
		}
		byRole[role] = item
		if problem := trustPolicyProblem(r.sizedTrustPolicy(role).JSON()); problem != "" {
			problems = append(problems, Problem{item, problem})
		}
	}
	return problems
}

// sizedTrustPolicy is a Google reader's trust policy, which holds no
// account id.
func (r GCPReader) sizedTrustPolicy(role string) iampolicy.Document { return r.TrustPolicy(role) }

// sizedTrustPolicy is an Azure reader's trust policy with a provider ARN as
// long as a real one: the account id is not known when files are validated.
func (r AzureReader) sizedTrustPolicy(string) iampolicy.Document {
	return r.TrustPolicy(AzureProviderARN(strings.Repeat("0", 12), r.TenantID))
}

// trustPolicyProblem says why IAM would refuse a trust policy for its
// length. Readers' fields have fixed lengths and role names are at most 64
// characters, so a valid reader's policy stays far below the limit
// (TestTrustPoliciesStayFarBelowTheLimit); this guards a future change to
// the policies.
func trustPolicyProblem(policy string) string {
	if len(policy) <= MaxTrustPolicyLength {
		return ""
	}
	return fmt.Sprintf("would get a trust policy of %d characters, but IAM allows %d: ask the data engineering team", len(policy), MaxTrustPolicyLength)
}

// Tenant is one Entra tenant that Azure readers come from: it gets one IAM
// OIDC provider, shared by every dataset, whose client ids are the
// applications of all its readers.
type Tenant struct {
	ID        string
	ClientIDs []string // sorted, each once
}

// Tenants groups readers (of every dataset) by tenant, sorted by tenant id.
func Tenants(readers []AzureReader) []Tenant {
	clients := map[string][]string{}
	for _, r := range readers {
		if !slices.Contains(clients[r.TenantID], r.ClientID) {
			clients[r.TenantID] = append(clients[r.TenantID], r.ClientID)
		}
	}
	tenants := make([]Tenant, 0, len(clients))
	for id, ids := range clients {
		slices.Sort(ids)
		tenants = append(tenants, Tenant{ID: id, ClientIDs: ids})
	}
	slices.SortFunc(tenants, func(a, b Tenant) int { return strings.Compare(a.ID, b.ID) })
	return tenants
}

// Problem says why IAM would refuse the tenant's provider; "" when it fits.
func (t Tenant) Problem() string {
	if len(t.ClientIDs) <= MaxClientIDsPerProvider {
		return ""
	}
	return fmt.Sprintf("has readers with %d different client ids, but the tenant's OIDC provider may list at most %d: readers of one tenant must share applications (one per reading team or service is plenty)", len(t.ClientIDs), MaxClientIDsPerProvider)
}
