package naming

import (
	"slices"
	"strings"
	"testing"
)

func TestDepartedUserRoundTrip(t *testing.T) {
	role := "alpha_user_jo-smith"
	if got, ok := ParseDepartedUserCheck(DepartedUserCheck(role)); !ok || got != role {
		t.Errorf("ParseDepartedUserCheck(DepartedUserCheck(%q)) = %q, %v", role, got, ok)
	}
	for _, name := range []string{"", "departed_user-", "user-" + role, "other"} {
		if got, ok := ParseDepartedUserCheck(name); ok {
			t.Errorf("ParseDepartedUserCheck(%q) = %q, true; want false", name, got)
		}
	}
	files := []string{DatasetFile(DatasetsDir, KindPull, "p2"), DatasetFile(DatasetsDir, KindPush, "new_project")}
	message := DepartedUserMessage(role, files)
	if !strings.Contains(message, role) {
		t.Errorf("the message does not name the user: %s", message)
	}
	if got, ok := DepartedUserFiles(message); !ok || !slices.Equal(got, files) {
		t.Errorf("DepartedUserFiles(%q) = %q, %v; want %q", message, got, ok, files)
	}
	for _, other := range []string{"", "Check failed", "remove or correct the user in each dataset file that lists them: "} {
		if got, ok := DepartedUserFiles(other); ok {
			t.Errorf("DepartedUserFiles(%q) = %q, true; want false", other, got)
		}
	}
}
