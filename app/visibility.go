package app

import (
	"slices"

	"kexuan/domain"
	"kexuan/scoring"
)

// The one visibility policy of score data, applied by every list, detail,
// export and document: everyone in the bureau sees every department's rank
// and totals, as the 通报 prints them; a department's ledger — its lines,
// the pieces in them, the office's adjustments with their reasons, the
// corrections of a closed period — is seen by that department, the leaders
// who oversee it, the office and the chief.

// CanSeeDetail reports whether u may see dept's ledger and reasons.
func CanSeeDetail(u *domain.User, dept string) bool {
	if u == nil {
		return false
	}
	switch {
	case u.Role == domain.Office || u.Role == domain.Chief:
		return true
	case u.Role == domain.Leader:
		return slices.Contains(u.Leads, dept)
	case u.Role.InDepartment():
		return u.Department == dept
	}
	return false
}

// SeesAllDetail reports whether u sees every department's detail.
func SeesAllDetail(u *domain.User) bool {
	return u != nil && (u.Role == domain.Office || u.Role == domain.Chief)
}

// VisibleResult is res as u may see it: every department's totals, the
// ledgers of those u may see in detail only. res itself is not changed (it
// is shared); the result is res when u sees everything.
func VisibleResult(u *domain.User, res *scoring.Result) *scoring.Result {
	if SeesAllDetail(u) || res == nil {
		return res
	}
	out := *res
	out.Departments = make([]scoring.Department, len(res.Departments))
	for i, d := range res.Departments {
		if !CanSeeDetail(u, d.Code) {
			d.Ledger = nil
		}
		out.Departments[i] = d
	}
	return &out
}

// visibleCorrections keeps the corrections u may see.
func visibleCorrections(u *domain.User, cs []*domain.Correction) []*domain.Correction {
	if u == nil || SeesAllDetail(u) {
		return cs
	}
	return slices.DeleteFunc(slices.Clone(cs), func(c *domain.Correction) bool { return !CanSeeDetail(u, c.Department) })
}
