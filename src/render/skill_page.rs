//! A skill's page and what comes with it: its raw SKILL.md and files, a
//! page per text file, and the folder as a zip.

use super::{files, human_size, io_view, one_large_at_a_time, safety_view, url_path, FileView, PageKey, RenderResult, Renderer, SkillView, SourceView};
use crate::load::Failure;
use crate::output::SiteWriter;
use crate::theme::fnv1a;
use llmos_core::{published_path, Diagnostic, Skill};

use super::files::zip_rel;

impl Renderer<'_> {
    /// One skill: its page, its raw SKILL.md, the files of its folder, a
    /// page per text file, and the folder as a zip.
    pub(super) fn skill_page(&self, out: &dyn SiteWriter, skill: &Skill) -> RenderResult<usize> {
        let assets = &self.loaded.assets[&skill.slug];
        let dir = format!("skills/{}/", skill.slug);
        let shadowed: Vec<(&str, &str)> = self.loaded.shadowed.get(&skill.slug).into_iter().flatten().map(|(path, source)| (path.as_str(), self.loaded.sources[*source].name.as_str())).collect();
        let key = assets.fingerprint ^ self.site_key.rotate_left(7) ^ self.skill_theme_key ^ fnv1a(format!("{}\0{shadowed:?}\0{:?}", assets.source, skill.category).as_bytes()).rotate_left(13);
        if let Some(previous) = self.previous.pages.get(&skill.slug) {
            // Up to date; or outdated by the theme or the site only, and
            // deferred (its old key stays, so a later build renders it).
            let keep = previous.key == key || (previous.content == assets.fingerprint && self.defer.is_some_and(|d| d.defers(&dir, true)));
            if keep && out.keep_all(&previous.written) {
                self.page_keys.lock().expect("no render panicked").insert(skill.slug.clone(), previous.clone());
                self.progress.inc(1);
                return Ok(assets.files.len() + 2);
            }
        }
        let io_error = |path: &str, e: std::io::Error| Failure::from(Diagnostic::error(path, 0, 0, format!("cannot read the file: {e}")));
        let skill_md = assets.skill_md.read().map_err(|e| io_error(&skill.path, e))?;
        let folder = skill.path.strip_suffix("SKILL.md").unwrap_or(&skill.path);
        let total = skill_md.len() as u64 + assets.files.iter().map(|(_, _, size)| size).sum::<u64>();
        let zipped = total <= files::MAX_ZIP_BYTES;
        // What is read into memory: every file for the zip, else only those
        // that may get a page of their own; the first MAX_VIEW_PAGES text
        // files get one.
        let mut contents: Vec<Option<Vec<u8>>> = Vec::with_capacity(assets.files.len());
        let mut views: Vec<Option<String>> = Vec::with_capacity(assets.files.len());
        let mut pages = 0;
        for (rel, data, size) in &assets.files {
            out.copy(&format!("{dir}{}", published_path(rel)), data)?;
            let may_have_page = pages < files::MAX_VIEW_PAGES && *size as usize <= files::MAX_VIEW_BYTES;
            let bytes = if zipped || may_have_page { Some(data.read().map_err(|e| io_error(&format!("{folder}{rel}"), e))?.into_owned()) } else { None };
            let view = bytes.as_deref().filter(|_| may_have_page).and_then(|bytes| files::view_rel(rel, bytes));
            pages += usize::from(view.is_some());
            views.push(view);
            contents.push(bytes);
        }
        out.write(&format!("{dir}SKILL.md"), &skill_md)?;
        let zip = zipped.then(|| {
            let entries: Vec<(String, &[u8])> = assets.files.iter().zip(&contents).map(|((rel, _, _), bytes)| (rel.clone(), bytes.as_deref().unwrap_or_default())).collect();
            one_large_at_a_time(total as usize, || files::skill_zip(&skill.slug, &skill_md, &entries))
        });
        if let Some(zip) = &zip {
            out.write(&zip_rel(&skill.slug), &zip.bytes)?;
        }
        let mut written = vec![format!("{dir}index.html"), format!("{dir}SKILL.md"), format!("{dir}SKILL.md.html")];
        written.extend(zip.is_some().then(|| zip_rel(&skill.slug)));
        written.extend(assets.files.iter().map(|(rel, _, _)| format!("{dir}{}", published_path(rel))));
        written.extend(views.iter().flatten().map(|view| format!("{dir}{view}")));
        let sha256 = zip.as_ref().map(|z| z.sha256.clone());
        self.page_keys.lock().expect("no render panicked").insert(skill.slug.clone(), std::sync::Arc::new(PageKey { key, content: assets.fingerprint, sha256, written }));
        for (((rel, _, _), bytes), view) in assets.files.iter().zip(&contents).zip(&views) {
            if let (Some(view), Some(bytes)) = (view, bytes) {
                let text = std::str::from_utf8(bytes).expect("view pages are for UTF-8 text");
                self.file_page(out, skill, &dir, rel, &published_path(rel), view, text, bytes.len(), zip.is_some())?;
            }
        }
        drop(contents);
        let skill_md_text = String::from_utf8_lossy(&skill_md);
        self.file_page(out, skill, &dir, "SKILL.md", "SKILL.md", "SKILL.md.html", &skill_md_text, skill_md.len(), zip.is_some())?;
        let source = &self.loaded.sources[assets.source];
        let mut view = SkillView {
            card: self.card(skill),
            keywords: skill.keywords.iter().map(|k| self.term_link("tags", &llmos_core::slugify(k), k, 0)).collect(),
            license: skill.license.as_deref().or(source.license.as_deref()),
            compatibility: skill.compatibility.as_deref(),
            allowed_tools: skill.allowed_tools.as_deref(),
            metadata: &skill.metadata,
            entry: skill.entry.as_deref().filter(|e| skill.files.iter().any(|f| f == e)),
            entry_url: skill.entry.as_deref().map(|e| url_path(&published_path(e))),
            inputs: skill.inputs.iter().map(io_view).collect(),
            outputs: skill.outputs.iter().map(io_view).collect(),
            words: skill.word_count(),
            files: assets
                .files
                .iter()
                .zip(&views)
                .map(|((path, _, size), view)| FileView { path: path.clone(), url: url_path(&published_path(path)), size: human_size(*size), view_url: view.as_deref().map(url_path) })
                .collect(),
            steps: skill
                .workflow
                .iter()
                .flat_map(|w| &w.steps)
                .map(|step| {
                    let page = format!("{}skills/{}/", self.base(), llmos_core::slugify(&step.uses));
                    (step.id.clone(), step.name.clone().unwrap_or_else(|| step.id.clone()), step.uses.clone(), page)
                })
                .collect(),
            safety: safety_view(&assets.findings),
            zip_url: zip.as_ref().map(|_| format!("{}{}", self.base(), zip_rel(&skill.slug))),
            zip_size: zip.as_ref().map(|z| human_size(z.bytes.len() as u64)),
            skill_md_view: "SKILL.md.html".into(),
            install: zip.as_ref().map(|_| files::install(&skill.slug, self.settings.base_url.as_ref().map(|url| format!("{url}{}", zip_rel(&skill.slug))))),
            source: Some(SourceView { name: &source.name, page: format!("{}sources/{}/", self.base(), source.slug), url: source.url.as_deref(), license: source.license.as_deref() }),
            shadowed,
            customise_url: llmos_islands::skill_links::customise_url(self.base(), &skill.name),
            chat_url: llmos_islands::skill_links::use_in_chat_url(self.base(), &skill.name),
        };
        // Findings link to the line on the file's page, when it has one.
        for finding in &mut view.safety.findings {
            let page =
                if finding.file == "SKILL.md" { Some("SKILL.md.html".to_string()) } else { assets.files.iter().zip(&views).find(|((p, _, _), _)| p == finding.file).and_then(|(_, v)| v.clone()) };
            if let Some(page) = page {
                finding.url = files::view_url(&page, finding.line);
            }
        }
        // The review's docs page, when the site has it (custom docs may not).
        let safety_doc = self.loaded.docs.iter().any(|d| d.slug == "safety-review").then(|| format!("{}docs/safety-review/", self.base()));
        let body_html = one_large_at_a_time(skill.body.len(), || self.markdown.skill_html(&skill.body, &skill.files));
        // Executable skills get the Run panel, and only they load its bundle.
        let catalogue = &self.loaded.catalogue;
        let find = |name: &str| catalogue.skills.iter().find(|s| s.name == name);
        let run = self.runner.as_ref().filter(|_| crate::runner::RunnerSite::runs(skill, view.entry.is_some()));
        let run_python_missing = run.is_some_and(|r| !r.has_python() && crate::runner::RunnerSite::needs_python(skill, find));
        let several_sources = self.loaded.sources.len() > 1;
        let context = minijinja::context! {
            site => self.site(), section => "skills", skill => view, body_html, canonical => self.canonical(&dir), safety_doc, several_sources,
            run_skill => run.map(|_| crate::runner::RunnerSite::skill_json(skill, self.base(), find)), run_config => run.map(|r| r.config_json()), run_python_missing,
            has_islands => run.is_some(), bundle => run.map(|_| "runner"), csp => run.map(|r| r.page_csp(&crate::csp::island_csp(self.settings))),
        };
        self.page_now(out, &dir, "skill.html", context)?;
        Ok(assets.files.len() + 2)
    }

    /// A bundled file's page: its text with line numbers, highlighted, with
    /// the raw file, the zip, and (with the site bundle) a Copy button.
    #[allow(clippy::too_many_arguments)]
    fn file_page(&self, out: &dyn SiteWriter, skill: &Skill, dir: &str, path: &str, published: &str, view_rel: &str, text: &str, size: usize, zipped: bool) -> RenderResult<()> {
        let raw_url = format!("{}{dir}{}", self.base(), url_path(published));
        let page = one_large_at_a_time(text.len(), || files::file_page(path, text, raw_url.clone(), human_size(size as u64), |token, code| self.markdown.highlight(token, code)));
        let copy_html = self.islands.as_ref().map(|_| llmos_islands::render::copy_button(&raw_url, &format!("Copy {path}")));
        let context = minijinja::context! {
            site => self.site(), section => "skills", skill => self.card(skill), file => page, zip_url => zipped.then(|| format!("{}{}", self.base(), zip_rel(&skill.slug))),
            canonical => self.canonical(&format!("{dir}{}", url_path(view_rel))), has_islands => copy_html.is_some(), copy_html,
        };
        let template = "file.html";
        let html =
            self.theme.render(template, context).map_err(|e| Diagnostic::error(&format!("theme/templates/{template}"), e.line().unwrap_or(0), 0, format!("rendering {dir}{view_rel} failed: {e}")))?;
        out.write(&format!("{dir}{view_rel}"), html.as_bytes())?;
        Ok(())
    }
}
