package web

import "kexuan/domain"

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
	s.handle("POST", "/logout", domain.PermNone, s.logout)
	s.handle("GET", "/password", domain.PermNone, s.passwordPage)
	s.handle("POST", "/password", domain.PermNone, s.passwordPost)
	s.handle("POST", "/api/v1/logout", domain.PermNone, s.apiLogout)
	s.handle("POST", "/api/v1/password", domain.PermNone, s.apiPassword)
	s.handle("GET", "/api/v1/me", domain.PermNone, s.apiMe)
	s.handle("GET", "/{$}", domain.PermNone, s.home)

	// Scores.
	s.handle("GET", "/dashboard", domain.PermScore, s.dashboard)
	s.handle("GET", "/departments/{code}", domain.PermScore, s.departmentPage)
	s.handle("GET", "/ledger/{code}", domain.PermScore, s.ledgerPage)
	s.handle("GET", "/export/report.xlsx", domain.PermExport, s.exportXLSX)
	s.handle("GET", "/api/v1/report", domain.PermScore, s.apiReport)
	s.handle("GET", "/api/v1/ledger/{code}", domain.PermScore, s.apiLedger)

	// Pieces.
	s.handle("GET", "/pieces", domain.PermPieceRead, s.piecesPage)
	s.handle("GET", "/pieces/{id}", domain.PermPieceRead, s.piecePage)
	s.handle("GET", "/attachments/{id}", domain.PermPieceRead, s.attachment)
	s.handle("GET", "/api/v1/pieces", domain.PermPieceRead, s.apiPieces)
	s.handle("GET", "/api/v1/pieces/{id}", domain.PermPieceRead, s.apiPiece)

	s.handle("GET", "/pieces/new", domain.PermPieceWrite, s.newPiecePage)
	s.content("POST", "/pieces", domain.PermPieceWrite, s.createPiece)
	s.handle("GET", "/pieces/{id}/edit", domain.PermPieceWrite, s.editPiecePage)
	s.content("POST", "/pieces/{id}/edit", domain.PermPieceWrite, s.updatePiece)
	s.handle("POST", "/pieces/{id}/submit", domain.PermPieceWrite, s.submitPiece)
	s.upload("POST", "/pieces/{id}/attachments", domain.PermPieceWrite, s.uploadAttachment)
	s.content("POST", "/words", domain.PermPieceWrite, s.words)
	s.content("POST", "/api/v1/pieces", domain.PermPieceWrite, s.apiCreatePiece)
	s.handle("POST", "/api/v1/pieces/{id}/submit", domain.PermPieceWrite, s.apiSubmit)

	// Review.
	s.handle("GET", "/reviews", domain.PermReview, s.reviewsPage)
	s.handle("POST", "/pieces/{id}/approve", domain.PermReview, s.approvePiece)
	s.handle("POST", "/pieces/{id}/return", domain.PermReview, s.returnPiece)
	s.handle("GET", "/api/v1/reviews", domain.PermReview, s.apiReviews)
	s.handle("POST", "/api/v1/pieces/{id}/approve", domain.PermReview, s.apiApprove)
	s.handle("POST", "/api/v1/pieces/{id}/return", domain.PermReview, s.apiReturn)

	// Adoptions.
	s.upload("POST", "/pieces/{id}/adoptions", domain.PermAdopt, s.recordAdoption)
	s.handle("POST", "/api/v1/pieces/{id}/adoptions", domain.PermAdopt, s.apiRecordAdoption)
	s.handle("GET", "/ledger/{code}/export", domain.PermExport, s.exportLedger)
	s.handle("GET", "/month", domain.PermScore, s.monthPage)
	s.handle("GET", "/calendar", domain.PermScore, s.calendarPage)
	s.handle("POST", "/calendar/events", domain.PermVerify, s.addCalendarEvent)
	s.handle("POST", "/calendar/feed", domain.PermScore, s.newFeed)
	s.handle("POST", "/api/v1/calendar/token", domain.PermScore, s.apiCalendarToken)
	s.add(Route{Method: "GET", Path: "/ics/{file}", Public: true, handler: s.icsFeed})
	s.handle("GET", "/periods/{period}", domain.PermScore, s.periodPage)
	s.handle("GET", "/bulletins/{period}", domain.PermAdjust, s.bulletin)
	s.handle("POST", "/periods", domain.PermAdjust, s.closePeriod)
	s.handle("POST", "/periods/{period}/reopen", domain.PermReview, s.reopenPeriod)
	s.handle("GET", "/api/v1/periods/{period}", domain.PermScore, s.apiPeriod)
	s.handle("POST", "/api/v1/periods", domain.PermAdjust, s.apiClosePeriod)
	s.handle("POST", "/api/v1/periods/{period}/reopen", domain.PermReview, s.apiReopenPeriod)
	s.handle("GET", "/notices", domain.PermNone, s.noticesPage)
	s.handle("POST", "/notices/{id}/read", domain.PermNone, s.readNotice)
	s.handle("POST", "/notices/read-all", domain.PermNone, s.readAllNotices)
	s.handle("GET", "/api/v1/notices", domain.PermNone, s.apiNotices)
	s.handle("POST", "/api/v1/notices/{id}/read", domain.PermNone, s.apiReadNotice)
	s.handle("POST", "/api/v1/notices/read-all", domain.PermNone, s.apiReadAllNotices)
	s.handle("POST", "/departments/{code}/remind", domain.PermVerify, s.remind)
	s.handle("POST", "/api/v1/departments/{code}/remind", domain.PermVerify, s.apiRemind)
	s.handle("GET", "/adjustments", domain.PermScore, s.adjustmentsPage)
	s.handle("POST", "/adjustments", domain.PermAdjust, s.recordAdjustment)
	s.handle("POST", "/adjustments/{id}/reverse", domain.PermAdjust, s.reverseAdjustment)
	s.handle("GET", "/api/v1/adjustments", domain.PermScore, s.apiAdjustments)
	s.handle("POST", "/api/v1/adjustments", domain.PermAdjust, s.apiRecordAdjustment)
	s.handle("POST", "/api/v1/adjustments/{id}/reverse", domain.PermAdjust, s.apiReverseAdjustment)
	s.handle("GET", "/verify", domain.PermVerify, s.verifyPage)
	s.handle("POST", "/verify/{id}", domain.PermVerify, s.verifyPost)
	s.handle("GET", "/api/v1/adoptions/pending", domain.PermVerify, s.apiPending)
	s.handle("POST", "/api/v1/adoptions/{id}/verify", domain.PermVerify, s.apiVerify)
	s.handle("POST", "/adoptions/{id}/words", domain.PermVerify, s.overrideWords)
	s.handle("POST", "/api/v1/adoptions/{id}/words", domain.PermVerify, s.apiOverrideWords)
	s.handle("POST", "/adoptions/{id}/delete", domain.PermVerify, s.deleteAdoption)
	s.handle("POST", "/api/v1/adoptions/{id}/delete", domain.PermVerify, s.apiDeleteAdoption)

	// The rest of the plan's work: enterprises and parks.
	s.handle("GET", "/enterprises", domain.PermFieldRead, s.enterprisesPage)
	s.handle("POST", "/enterprises", domain.PermFieldWrite, s.createEnterprise)
	s.handle("GET", "/export/enterprises.xlsx", domain.PermFieldRead, s.exportEnterprises)
	s.handle("GET", "/api/v1/enterprises", domain.PermFieldRead, s.apiEnterprises)
	s.handle("POST", "/api/v1/enterprises", domain.PermFieldWrite, s.apiCreateEnterprise)
	s.handle("GET", "/visits", domain.PermFieldRead, s.visitsPage)
	s.handle("POST", "/visits", domain.PermFieldWrite, s.recordVisit)
	s.handle("GET", "/api/v1/visits", domain.PermFieldRead, s.apiVisits)
	s.handle("POST", "/api/v1/visits", domain.PermFieldWrite, s.apiRecordVisit)
	s.handle("GET", "/api/v1/visits/summary", domain.PermFieldRead, s.apiVisitSummary)

	// Administration.
	s.handle("GET", "/admin/delivery", domain.PermUsers, s.deliveryPage)
	s.handle("POST", "/admin/delivery/mail", domain.PermUsers, s.saveMail)
	s.handle("POST", "/admin/delivery/webhooks/{code}", domain.PermUsers, s.saveWebhook)
	s.handle("POST", "/me/email", domain.PermNone, s.saveMyEmail)
	s.handle("GET", "/admin/users", domain.PermUsers, s.usersPage)
	s.handle("GET", "/api/v1/users", domain.PermUsers, s.apiUsers)
	s.handle("GET", "/admin/users/new", domain.PermUsers, s.newUserPage)
	s.handle("POST", "/admin/users", domain.PermUsers, s.createUser)
	s.handle("GET", "/admin/users/{id}", domain.PermUsers, s.userPage)
	s.handle("POST", "/admin/users/{id}", domain.PermUsers, s.updateUser)
	s.handle("POST", "/admin/users/{id}/password", domain.PermUsers, s.resetPassword)
	s.handle("GET", "/admin/audit", domain.PermAudit, s.auditPage)
	s.handle("GET", "/admin/audit/export.csv", domain.PermAudit, s.exportAudit)
	s.handle("GET", "/api/v1/audit", domain.PermAudit, s.apiAudit)
}
