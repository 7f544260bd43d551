#!/usr/bin/env bash
# Sets up what is missing, builds the client (release) and the server, and runs Cunbao on
# SQLite (./data). Ctrl-C stops it cleanly. CUNBAO_BIND=host:port changes the address.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
source scripts/setup.sh

BIND="${CUNBAO_BIND:-127.0.0.1:8080}"
HOST="${BIND%:*}"
PORT="${BIND##*:}"
if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then
  fail "端口 $BIND 已被占用 / $BIND is already in use." \
    "Stop the program using it, or choose another port: CUNBAO_BIND=127.0.0.1:8081 ./run.sh"
fi

say "building the client (release)"
scripts/build-client.sh
say "building the server (release)"
cargo build --release -p cunbao-server

cat <<MSG

  村保 Cunbao 正在运行 / is running at:  http://$BIND/
  数据目录 / data directory:             $ROOT/data (SQLite)
  示例账号（公开密码，仅供演示）/ sample logins, demo only (两江镇), password: cunbao2025
    lijia  · daping · shimen   村卫生室 clinic assistants (李家村 / 大坪村 / 石门村)
    shenhe                      乡镇审核员 township reviewer
    admin                       乡镇管理员 administrator
  乡镇工作台 / the township's screens:   http://$BIND/township  (乡镇账号登录后自动转到 / staff are taken there)
  在“数据同步”页登录 / sign in on the 数据同步 (Sync) page
  按 Ctrl-C 停止 / press Ctrl-C to stop

MSG
CUNBAO_BIND="$BIND" CUNBAO_SAMPLE_DATA=1 CUNBAO_SAMPLE_RESIDENTS="${CUNBAO_SAMPLE_RESIDENTS:-150}" exec target/release/cunbao-server
