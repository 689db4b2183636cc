package web

import "kexuan/auth"

// registerRoutes is the access policy: each route and the permission it
// requires. Object-level rules (which department, which state, whose piece)
// are the app package's.
func (s *Server) registerRoutes() {
	// Public.
	s.add(Route{Method: "GET", Path: "/healthz", Public: true, handler: s.healthz})
	s.add(Route{Method: "GET", Path: "/login", Public: true, handler: s.loginPage})
	s.add(Route{Method: "POST", Path: "/login", Public: true, handler: s.loginPost})
	s.add(Route{Method: "POST", Path: "/api/v1/login", Public: true, handler: s.apiLogin})

	// Any signed-in user.
	s.handle("POST", "/logout", auth.PermNone, s.logout)
	s.handle("GET", "/password", auth.PermNone, s.passwordPage)
	s.handle("POST", "/password", auth.PermNone, s.passwordPost)
	s.handle("POST", "/api/v1/logout", auth.PermNone, s.apiLogout)
	s.handle("POST", "/api/v1/password", auth.PermNone, s.apiPassword)
	s.handle("GET", "/api/v1/me", auth.PermNone, s.apiMe)
	s.handle("GET", "/{$}", auth.PermNone, s.home)

	// Scores.
	s.handle("GET", "/dashboard", auth.PermScore, s.dashboard)
	s.handle("GET", "/departments/{code}", auth.PermScore, s.departmentPage)
	s.handle("GET", "/ledger/{code}", auth.PermScore, s.ledgerPage)
	s.handle("GET", "/export/report.xlsx", auth.PermExport, s.exportXLSX)
	s.handle("GET", "/api/v1/report", auth.PermScore, s.apiReport)
	s.handle("GET", "/api/v1/ledger/{code}", auth.PermScore, s.apiLedger)

	// Pieces.
	s.handle("GET", "/pieces", auth.PermPieceRead, s.piecesPage)
	s.handle("GET", "/pieces/{id}", auth.PermPieceRead, s.piecePage)
	s.handle("GET", "/attachments/{id}", auth.PermPieceRead, s.attachment)
	s.handle("GET", "/api/v1/pieces", auth.PermPieceRead, s.apiPieces)
	s.handle("GET", "/api/v1/pieces/{id}", auth.PermPieceRead, s.apiPiece)

	s.handle("GET", "/pieces/new", auth.PermPieceWrite, s.newPiecePage)
	s.content("POST", "/pieces", auth.PermPieceWrite, s.createPiece)
	s.handle("GET", "/pieces/{id}/edit", auth.PermPieceWrite, s.editPiecePage)
	s.content("POST", "/pieces/{id}/edit", auth.PermPieceWrite, s.updatePiece)
	s.handle("POST", "/pieces/{id}/submit", auth.PermPieceWrite, s.submitPiece)
	s.upload("POST", "/pieces/{id}/attachments", auth.PermPieceWrite, s.uploadAttachment)
	s.content("POST", "/words", auth.PermPieceWrite, s.words)
	s.content("POST", "/api/v1/pieces", auth.PermPieceWrite, s.apiCreatePiece)
	s.handle("POST", "/api/v1/pieces/{id}/submit", auth.PermPieceWrite, s.apiSubmit)

	// Review.
	s.handle("GET", "/reviews", auth.PermReview, s.reviewsPage)
	s.handle("POST", "/pieces/{id}/approve", auth.PermReview, s.approvePiece)
	s.handle("POST", "/pieces/{id}/return", auth.PermReview, s.returnPiece)
	s.handle("GET", "/api/v1/reviews", auth.PermReview, s.apiReviews)
	s.handle("POST", "/api/v1/pieces/{id}/approve", auth.PermReview, s.apiApprove)
	s.handle("POST", "/api/v1/pieces/{id}/return", auth.PermReview, s.apiReturn)

	// Adoptions.
	s.upload("POST", "/pieces/{id}/adoptions", auth.PermAdopt, s.recordAdoption)
	s.handle("POST", "/api/v1/pieces/{id}/adoptions", auth.PermAdopt, s.apiRecordAdoption)
	s.handle("GET", "/verify", auth.PermVerify, s.verifyPage)
	s.handle("POST", "/verify/{id}", auth.PermVerify, s.verifyPost)
	s.handle("GET", "/api/v1/adoptions/pending", auth.PermVerify, s.apiPending)
	s.handle("POST", "/api/v1/adoptions/{id}/verify", auth.PermVerify, s.apiVerify)
	s.handle("POST", "/adoptions/{id}/words", auth.PermVerify, s.overrideWords)
	s.handle("POST", "/api/v1/adoptions/{id}/words", auth.PermVerify, s.apiOverrideWords)

	// Administration.
	s.handle("GET", "/admin/users", auth.PermUsers, s.usersPage)
	s.handle("GET", "/admin/users/new", auth.PermUsers, s.newUserPage)
	s.handle("POST", "/admin/users", auth.PermUsers, s.createUser)
	s.handle("GET", "/admin/users/{id}", auth.PermUsers, s.userPage)
	s.handle("POST", "/admin/users/{id}", auth.PermUsers, s.updateUser)
	s.handle("POST", "/admin/users/{id}/password", auth.PermUsers, s.resetPassword)
	s.handle("GET", "/admin/audit", auth.PermAudit, s.auditPage)
	s.handle("GET", "/api/v1/audit", auth.PermAudit, s.apiAudit)
}
