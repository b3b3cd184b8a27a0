package plansummary

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// withChecks is a fixture with check results added in the shape Terraform
// 1.11 writes them (`checks` of `terraform show -json`): a failed
// departed-user check, as a warning leaves it, and a passing one.
func withChecks(t *testing.T, scenario string, checks ...map[string]any) []byte {
	t.Helper()
	var raw map[string]any
	if err := json.Unmarshal(readScenario(t, scenario), &raw); err != nil {
		t.Fatal(err)
	}
	raw["checks"] = checks
	data, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkResult is one check block's result; a failed one carries message.
func checkResult(name, status, message string) map[string]any {
	instance := map[string]any{"address": map[string]any{"to_display": "check." + name}, "status": status}
	if message != "" {
		instance["problems"] = []any{map[string]any{"message": message}}
	}
	return map[string]any{
		"address":   map[string]any{"kind": "check", "name": name, "to_display": "check." + name},
		"status":    status,
		"instances": []any{instance},
	}
}

func TestDepartedUsers(t *testing.T) {
	gone := "alpha_user_analyst_two"
	files := []string{
		naming.DatasetFile(naming.DatasetsDir, naming.KindPush, "performance_hub_daily"),
		naming.DatasetFile(naming.DatasetsDir, naming.KindPush, "court_listings_archive"),
	}
	checks := []map[string]any{
		checkResult(naming.DepartedUserCheck(gone), "fail", naming.DepartedUserMessage(gone, files)),
		checkResult(naming.DepartedUserCheck("alpha_user_analyst_one"), "pass", ""),
		// A check of someone else's is not a departed user.
		checkResult("other_check", "fail", "something else"),
	}
	want := []DepartedUser{{Role: gone, Files: []string{"datasets/push/court_listings_archive.yaml", "datasets/push/performance_hub_daily.yaml"}}}
	section := "### Users whose role no longer exists\n\n> [!WARNING]\n" +
		"> Dataset files list these users, but their IAM role does not exist: the user has left the Analytical Platform, or the name is wrong. " +
		"This deploy leaves out their access and applies every other change. Remove or correct each one in the files named.\n\n" +
		"- `alpha_user_analyst_two`: `datasets/push/court_listings_archive.yaml`, `datasets/push/performance_hub_daily.yaml`\n\n"

	// With nothing else to do, the plan is empty and still warns.
	s := summarize(t, withChecks(t, "no_change", checks...), PaperworkLookup{})
	if !s.Empty() || !slices.EqualFunc(s.DepartedUsers, want, departedEqual) {
		t.Errorf("departed users %+v (empty plan %v), want %+v", s.DepartedUsers, s.Empty(), want)
	}
	if got, wantMD := render(t, s), "## Plan summary\n\n**No changes:** this plan leaves every dataset and shared resource as it is.\n\n"+section; got != wantMD {
		t.Errorf("summary:\n%s\nwant:\n%s", got, wantMD)
	}

	// Beside other changes, the warning comes last, one blank line apart.
	s = summarize(t, withChecks(t, "change_users", checks...), PaperworkLookup{})
	md := render(t, s)
	if !strings.HasSuffix(md, "(push access of `alpha_user_analyst_two`)\n\n"+section) {
		t.Errorf("the warning does not end the summary as one section:\n%s", md)
	}

	// No failed check, no section.
	s = summarize(t, withChecks(t, "change_users", checks[1]), PaperworkLookup{})
	if len(s.DepartedUsers) != 0 || strings.Contains(render(t, s), "no longer exists") {
		t.Errorf("a passing check lists %+v", s.DepartedUsers)
	}
}

func departedEqual(a, b DepartedUser) bool { return a.Role == b.Role && slices.Equal(a.Files, b.Files) }
