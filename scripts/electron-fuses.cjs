// electron-builder's afterPack hook (electron-builder.yml): flips Electron's fuses in the
// packaged binary before the AppImage and the .deb are made from it, as Electron's security
// checklist asks. The binary then refuses to run as plain Node (ELECTRON_RUN_AS_NODE),
// ignores NODE_OPTIONS and --inspect, loads the app only from its asar, and gives file:// no
// extra privileges (the studio's page comes from its own phantom-studio:// scheme).
// CommonJS, because electron-builder 25 loads hooks with require().
const { join } = require('node:path');
const { flipFuses, FuseV1Options, FuseVersion } = require('@electron/fuses');

exports.default = async function flipElectronFuses(context) {
  const binary = join(context.appOutDir, context.packager.executableName);
  await flipFuses(binary, {
    version: FuseVersion.V1,
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  });
};
