// builtins.split and builtins.match over a generated syslog-style file: split the
// text into lines, parse each line with a capturing regex, split messages into
// words, and tally programs and users — the shape of config and log parsing in Nix.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomSource } from "../lib/random.mjs";

const LINES = 80000;
const HOSTS = ["alpha", "beta", "gamma", "delta"];
const PROGRAMS = ["sshd", "nginx", "systemd", "cron", "kernel"];

function logLine(i, random) {
  const second = i % 60;
  const minute = Math.floor(i / 60) % 60;
  const hour = Math.floor(i / 3600) % 24;
  const time = [hour, minute, second].map((n) => String(n).padStart(2, "0")).join(":");
  const host = `${HOSTS[random.int(HOSTS.length)]}-${random.int(16)}`;
  const program = PROGRAMS[random.int(PROGRAMS.length)];
  const pid = 100 + random.int(30000);
  const user = `user${random.int(50)}`;
  const ip = `10.${random.int(4)}.${random.int(256)}.${random.int(256)}`;
  const message =
    program === "sshd"
      ? `Accepted publickey for ${user} from ${ip} port ${1024 + random.int(60000)} ssh2`
      : `request from ${ip} took ${random.int(5000)}ms status ${[200, 404, 500][random.int(3)]}`;
  return `2026-11-21T${time}Z ${host} ${program}[${pid}]: ${message}`;
}

const NIX = `let
  inherit (builtins) filter isString split match length elemAt foldl' head attrNames listToAttrs;
  text = builtins.readFile ./syslog.txt;
  lines = filter (l: isString l && l != "") (split "\\n" text);
  parse = line:
    let m = match "([0-9-]+)T([0-9:]+)Z ([a-z]+)-([0-9]+) ([a-z]+)[[]([0-9]+)[]]: (.*)" line;
    in if m == null then null else {
      host = elemAt m 2;
      program = elemAt m 4;
      message = elemAt m 6;
    };
  entries = filter (e: e != null) (map parse lines);
  words = e: filter (w: isString w && w != "") (split " +" e.message);
  sshLogins = filter (e: e.program == "sshd") entries;
  users = map (e: head (match ".*for ([a-z0-9]+) from.*" e.message)) sshLogins;
  distinctUsers = attrNames (listToAttrs (map (u: { name = u; value = true; }) users));
  failures = filter (e: match ".*status 5[0-9][0-9]" e.message != null) entries;
  byProgram = foldl' (acc: e: acc // { \${e.program} = (acc.\${e.program} or 0) + 1; }) { } entries;
in
{
  lines = length lines;
  parsed = length entries;
  words = foldl' (n: e: n + length (words e)) 0 entries;
  logins = length sshLogins;
  distinctUsers = length distinctUsers;
  failures = length failures;
  inherit byProgram;
}
`;

export default {
  description: `builtins.split/match over a ${LINES.toLocaleString("en")}-line syslog file: line splitting, capture groups, word splitting, tallies`,
  args: ["--eval", "--strict", "{file}"],
  expect:
    "{ byProgram = { cron = 16119; kernel = 16102; nginx = 15873; sshd = 15994; systemd = 15912; }; distinctUsers = 50; failures = 21277; lines = 80000; logins = 15994; parsed = 80000; words = 591988; }",
  prepare(outDir) {
    const dir = join(outDir, "regex");
    mkdirSync(dir, { recursive: true });
    const random = randomSource(8);
    const lines = [];
    for (let i = 0; i < LINES; i++) lines.push(logLine(i, random));
    writeFileSync(join(dir, "syslog.txt"), lines.join("\n") + "\n");
    const file = join(dir, "default.nix");
    writeFileSync(file, NIX);
    return file;
  },
};
