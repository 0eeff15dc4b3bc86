# bench: a small NixOS-style module system (typed options, mkIf/mkMerge/mkDefault/mkForce, pushed-down properties, config fixed point): 1,500 options from 401 modules, evaluated for 40 hosts
# bench-args: --eval --strict {file}
# bench-expect: { configChars = 62600; debug = 600; enabled = 2000; environmentVars = 5360; firewall = 400; first = "100 packages, 10 open ports"; last = "100 packages, 10 open ports"; options = 60000; portSum = 18198000; svcUsers = 2000; workerSum = 29800; }
let
  inherit (builtins)
    all any attrNames concatLists concatMap concatStringsSep elem filter foldl' genList head
    isAttrs isBool isFunction isInt isList isString length listToAttrs mapAttrs stringLength tail
    toString zipAttrsWith;

  # ---- the module system ---------------------------------------------------------

  showPath = concatStringsSep ".";
  hasType = t: v: isAttrs v && (v._type or null) == t;

  mkOption = { type, default ? null, description ? "" }: { _type = "option"; inherit type default description; };
  mkOverride = priority: content: { _type = "override"; inherit priority content; };
  mkDefault = mkOverride 1000;
  mkForce = mkOverride 50;
  mkIf = cond: content: { _type = "if"; inherit cond content; };
  mkMerge = contents: { _type = "merge"; inherit contents; };

  mergeEqual = loc: defs:
    let first = head defs;
    in if all (d: d.value == first.value) defs then first.value
    else throw "The option `${showPath loc}' has conflicting definition values in ${concatStringsSep ", " (map (d: d.file) defs)}.";

  types = {
    int = { name = "int"; check = isInt; merge = mergeEqual; };
    bool = { name = "bool"; check = isBool; merge = mergeEqual; };
    str = { name = "str"; check = isString; merge = mergeEqual; };
    lines = { name = "lines"; check = isString; merge = loc: defs: concatStringsSep "\n" (map (d: d.value) defs); };
    port = { name = "port"; check = v: isInt v && v > 0 && v < 65536; merge = mergeEqual; };
    enum = values: { name = "enum"; check = v: elem v values; merge = mergeEqual; };
    listOf = elemType: {
      name = "listOf ${elemType.name}";
      check = v: isList v && all elemType.check v;
      merge = loc: defs: concatMap (d: d.value) defs;
    };
    attrsOf = elemType: {
      name = "attrsOf ${elemType.name}";
      check = v: isAttrs v && all (n: elemType.check v.${n}) (attrNames v);
      merge = loc: defs: zipAttrsWith (name: values: elemType.merge (loc ++ [ name ]) (map (value: { file = "<merged>"; inherit value; }) values)) (map (d: d.value) defs);
    };
  };

  # mkIf/mkMerge/mkOverride around a set of options move down onto each attribute, so a
  # condition is only forced when an option under it is read (as in lib/modules.nix).
  pushDown = v:
    if hasType "merge" v then concatMap pushDown v.contents
    else if hasType "if" v then map (mapAttrs (_: mkIf v.cond)) (pushDown v.content)
    else if hasType "override" v then map (mapAttrs (_: mkOverride v.priority)) (pushDown v.content)
    else [ v ];

  discharge = priority: v:
    if hasType "merge" v then concatMap (discharge priority) v.contents
    else if hasType "if" v then (if v.cond then discharge priority v.content else [ ])
    else if hasType "override" v then discharge v.priority v.content
    else [ { inherit priority; value = v; } ];

  mergeOption = loc: opt: defs:
    let
      explicit = concatMap (d: map (p: p // { inherit (d) file; }) (discharge 100 d.value)) defs;
      withDefault = explicit ++ (if opt.default == null then [ ] else [ { priority = 1500; value = opt.default; file = "<default>"; } ]);
      best = foldl' (m: d: if d.priority < m then d.priority else m) 9999 withDefault;
      chosen = filter (d: d.priority == best) withDefault;
      bad = filter (d: !opt.type.check d.value) chosen;
    in
    if chosen == [ ] then throw "The option `${showPath loc}' is used but not defined."
    else if bad != [ ] then throw "The option `${showPath loc}' is not of type `${opt.type.name}' (in ${(head bad).file})."
    else opt.type.merge loc chosen;

  evalTree = loc: decl: defs:
    if hasType "option" decl then mergeOption loc decl defs
    else
      let
        pushed = concatMap (d: map (value: { inherit (d) file; inherit value; }) (pushDown d.value)) defs;
        byName = zipAttrsWith (_: vs: vs) (map (d: mapAttrs (_: value: { inherit (d) file; inherit value; }) d.value) pushed);
        unknown = filter (n: !(decl ? ${n})) (attrNames byName);
      in
      if unknown != [ ] then throw "The option `${showPath (loc ++ [ (head unknown) ])}' does not exist."
      else mapAttrs (name: sub: evalTree (loc ++ [ name ]) sub (byName.${name} or [ ])) decl;

  mergeDecls = loc: decls:
    zipAttrsWith (name: subs:
      if any (hasType "option") subs then
        (if length subs > 1 then throw "The option `${showPath (loc ++ [ name ])}' is declared more than once." else head subs)
      else mergeDecls (loc ++ [ name ]) subs) decls;

  evalModules = modules:
    let
      args = { inherit config lib; };
      load = file: m: let v = if isFunction m then m args else m; in
        [ { inherit file; options = v.options or { }; config = v.config or { }; } ]
        ++ concatLists (genList (i: load "${file}/imports[${toString i}]" (builtins.elemAt (v.imports or [ ]) i)) (length (v.imports or [ ])));
      loaded = concatLists (genList (i: load "module-${toString i}" (builtins.elemAt modules i)) (length modules));
      options = mergeDecls [ ] (map (m: m.options) loaded);
      config = evalTree [ ] options (map (m: { inherit (m) file; value = m.config; }) loaded);
    in
    { inherit options config; };

  lib = { inherit mkOption mkDefault mkForce mkIf mkMerge types; };

  # ---- a deployment: 40 hosts, each 100 services x 15 options from four modules each ----

  hostCount = 40;

  serviceCount = 100;
  serviceName = i: "svc${toString i}";

  serviceOptions = i: { lib, ... }: {
    options.services.${serviceName i} = with lib; {
      enable = mkOption { type = types.bool; default = false; };
      port = mkOption { type = types.port; default = 1000 + i; };
      user = mkOption { type = types.str; default = "svc"; };
      group = mkOption { type = types.str; default = "svc"; };
      logLevel = mkOption { type = types.enum [ "debug" "info" "warn" "error" ]; default = "info"; };
      workers = mkOption { type = types.int; default = 1; };
      openFirewall = mkOption { type = types.bool; default = false; };
      extraConfig = mkOption { type = types.lines; default = ""; };
      packages = mkOption { type = types.listOf types.str; default = [ ]; };
      environment = mkOption { type = types.attrsOf types.str; default = { }; };
      extraArgs = mkOption { type = types.listOf types.str; default = [ ]; };
      dataDir = mkOption { type = types.str; default = "/var/lib/${serviceName i}"; };
      after = mkOption { type = types.listOf types.str; default = [ ]; };
      restart = mkOption { type = types.enum [ "always" "on-failure" "no" ]; default = "on-failure"; };
      description = mkOption { type = types.str; default = "service ${toString i}"; };
    };
  };

  serviceProfile = host: i: { config, lib, ... }: {
    config.services.${serviceName i} = lib.mkMerge [
      { enable = lib.mkDefault ((i + host) / 2 * 2 == i + host); workers = lib.mkDefault (1 + (i + host) / 10); }
      (lib.mkIf (i > 0) { after = [ (serviceName (i - 1)) ]; })
    ];
  };

  serviceHost = i: { config, lib, ... }:
    let cfg = config.services.${serviceName i};
    in {
      config = lib.mkIf cfg.enable {
        services.${serviceName i} = {
          port = 8000 + i;
          extraConfig = "listen ${toString cfg.port}\nworkers ${toString cfg.workers}";
          packages = [ "pkg-${serviceName i}" "tool-${toString (i / 3)}" ];
          environment = { DATA = cfg.dataDir; USER = cfg.user; };
          extraArgs = map (a: "--${a}") [ "verbose" "port=${toString cfg.port}" ];
        };
        environment.systemPackages = cfg.packages;
        networking.allowedTCPPorts = lib.mkIf cfg.openFirewall [ cfg.port ];
        users.${cfg.user} = [ (serviceName i) ];
      };
    };

  serviceOverrides = i: { config, lib, ... }: {
    config.services.${serviceName i} = {
      logLevel = if i / 7 * 7 == i then lib.mkForce "debug" else lib.mkDefault "warn";
      openFirewall = i / 5 * 5 == i;
      extraConfig = lib.mkIf config.services.${serviceName i}.enable "# managed";
      environment = lib.mkIf (i / 3 * 3 == i) { TIER = "three"; };
    };
  };

  globalModule = { config, lib, ... }: {
    options = with lib; {
      environment.systemPackages = mkOption { type = types.listOf types.str; default = [ ]; };
      networking.allowedTCPPorts = mkOption { type = types.listOf types.port; default = [ ]; };
      users = mkOption { type = types.attrsOf (types.listOf types.str); default = { }; };
      summary = mkOption { type = types.str; };
    };
    config.summary = "${toString (length config.environment.systemPackages)} packages, ${toString (length config.networking.allowedTCPPorts)} open ports";
  };

  hostModules = host: [ globalModule ] ++ concatLists (genList (i: [ (serviceOptions i) (serviceProfile host i) (serviceHost i) (serviceOverrides i) ]) serviceCount);

  sum = foldl' (a: b: a + b) 0;
  summarise = host:
    let
      result = evalModules (hostModules host);
      services = map (i: result.config.services.${serviceName i}) (genList (i: i) serviceCount);
    in
    {
      options = sum (map (s: length (attrNames s)) services);
      enabled = length (filter (s: s.enable) services);
      portSum = sum (map (s: s.port) services);
      workerSum = sum (map (s: s.workers) services);
      debug = length (filter (s: s.logLevel == "debug") services);
      configChars = sum (map (s: stringLength s.extraConfig) services);
      environmentVars = sum (map (s: length (attrNames s.environment)) services);
      svcUsers = length (result.config.users.svc or [ ]);
      firewall = length result.config.networking.allowedTCPPorts;
      inherit (result.config) summary;
    };
  hosts = genList summarise hostCount;
  total = name: sum (map (h: h.${name}) hosts);
in
{
  options = total "options";
  enabled = total "enabled";
  portSum = total "portSum";
  workerSum = total "workerSum";
  debug = total "debug";
  configChars = total "configChars";
  environmentVars = total "environmentVars";
  svcUsers = total "svcUsers";
  firewall = total "firewall";
  first = (head hosts).summary;
  last = (builtins.elemAt hosts (hostCount - 1)).summary;
}
