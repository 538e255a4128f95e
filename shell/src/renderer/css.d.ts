/** Stylesheets imported for their side effect: esbuild bundles them into dist/www/app.css. */
declare module '*.css';
