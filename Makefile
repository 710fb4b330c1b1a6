# The two commands of the README. Everything else is in scripts/.
.PHONY: run test bench bench-web bench-live bench-boards recompute backup
run:   ## build and serve the app on http://127.0.0.1:3000 (SQLite under data/)
	scripts/run.sh
test:  ## install test prerequisites and run every test
	scripts/test.sh
bench: ## attempt starts/submits per second against a running server (see README)
	cargo run --release --features ssr --example bench -- $(ARGS)
bench-web: ## per participant page: bytes a phone downloads (first and repeat visit) and Lighthouse mobile scores
	scripts/bench-web.sh
bench-live: ## a live session: 500 participants answer at once; answer-to-leaderboard latency (see README)
	LOAD=live scripts/surge.sh $(or $(DB),sqlite) $(or $(N),500)
bench-boards: ## boards at city scale: 1,000,000 attempts; ARGS="--database postgres://…" for PostgreSQL
	cargo run --release --features ssr --example boards_bench -- $(ARGS)
recompute: ## rebuild the leaderboards' aggregates from the attempts (DATABASE_URL as for run)
	cargo run --release --features ssr --bin thi24 -- recompute
backup: ## online copy of the SQLite database: make backup TO=backups/thi24-$$(date +%F).db
	cargo run --release --features ssr --bin thi24 -- backup $(TO)
