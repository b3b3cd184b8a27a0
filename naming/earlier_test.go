package naming

import "testing"

// TestParseEarlierUserPullPolicy: the earlier tool named a user's pull
// policy after the dataset's name as its file wrote it, hyphens too; the
// migration writes that name with underscores, which is what it reads back.
func TestParseEarlierUserPullPolicy(t *testing.T) {
	for policy, want := range map[string]string{
		EarlierUserPullPolicy("cjs-dashboard"):         "cjs_dashboard",
		EarlierUserPullPolicy("tribunal_sync"):         "tribunal_sync",
		EarlierUserPullPolicy("adjudications-2024-q1"): "adjudications_2024_q1",
	} {
		if got, ok := ParseEarlierUserPullPolicy(policy); !ok || got != want {
			t.Errorf("ParseEarlierUserPullPolicy(%q) = %q, %v; want %q", policy, got, ok, want)
		}
	}
	for _, policy := range []string{EarlierUserPushPolicy, UserPullPolicy("x"), "hub-exports-pull-", "s3-access"} {
		if got, ok := ParseEarlierUserPullPolicy(policy); ok {
			t.Errorf("ParseEarlierUserPullPolicy(%q) = %q, true; want false", policy, got)
		}
	}
}
