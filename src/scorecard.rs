//! The fleet scorecard: one static, self-contained HTML page (no external
//! assets) with a row per service and a shield per category, sortable and
//! filterable by owner and level with a few lines of inline script, each
//! cell linking to that service's failing checks. Pure: rows in, text out.

use std::fmt::Write as _;

use crate::fleet::GradeRow;
use crate::grade::checks::Status;
use crate::grade::report::level_name;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn anchor(service: &str, category: &str) -> String {
    let slug = |s: &str| {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect::<String>()
    };
    format!("{}--{}", slug(service), slug(category))
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}\
table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px solid #ddd;text-align:left}\
th{cursor:pointer;background:#f4f4f4;user-select:none}th:hover{background:#e8e8e8}\
.shield{display:inline-block;padding:1px 8px;border-radius:3px;color:#fff;font-weight:600;font-size:12px;text-decoration:none}\
.none{background:#9f3a38}.bronze{background:#a97142}.silver{background:#8a9597}.gold{background:#c9a227}.platinum{background:#4a90a4}\
.err{color:#9f3a38}.filters{margin:12px 0}.filters label{margin-right:16px}section{margin-top:24px}\
section h3{margin-bottom:4px}ul{margin-top:4px}code{background:#f4f4f4;padding:0 3px}";

const SCRIPT: &str = r"(function(){
var table=document.getElementById('scorecard');
var body=table.tBodies[0];
var rank={none:0,bronze:1,silver:2,gold:3,platinum:4};
function apply(){
  var owner=document.getElementById('owner').value;
  var level=document.getElementById('level').value;
  var shown=0;
  Array.prototype.forEach.call(body.rows,function(r){
    var ok=(!owner||r.dataset.owner===owner)&&(!level||r.dataset.level===level);
    r.style.display=ok?'':'none';
    if(ok){shown++;}
  });
  document.getElementById('shown').textContent=String(shown);
}
Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,i){
  th.addEventListener('click',function(){
    var asc=th.dataset.dir!=='asc';
    th.dataset.dir=asc?'asc':'desc';
    var rows=Array.prototype.slice.call(body.rows);
    rows.sort(function(a,b){
      var x=a.cells[i].dataset.sort||a.cells[i].textContent;
      var y=b.cells[i].dataset.sort||b.cells[i].textContent;
      var c=(x in rank&&y in rank)?rank[x]-rank[y]:x.localeCompare(y);
      return asc?c:-c;
    });
    rows.forEach(function(r){body.appendChild(r);});
  });
});
document.getElementById('owner').addEventListener('change',apply);
document.getElementById('level').addEventListener('change',apply);
apply();
document.body.setAttribute('data-ready','yes');
})();";

/// Renders the scorecard page for `rows`.
pub fn render(rows: &[GradeRow], title: &str) -> String {
    let mut categories: Vec<(String, String)> = Vec::new();
    for r in rows.iter().filter_map(|r| r.report.as_ref()) {
        for c in &r.categories {
            if !categories.iter().any(|(id, _)| id == &c.id) {
                categories.push((c.id.clone(), c.title.clone()));
            }
        }
    }
    let mut owners: Vec<&str> = rows.iter().filter_map(|r| r.owner.as_deref()).collect();
    owners.sort_unstable();
    owners.dedup();

    let mut html = String::new();
    html.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = write!(
        html,
        "<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        esc(title),
        esc(title)
    );
    html.push_str(
        "<div class=\"filters\"><label>Owner <select id=\"owner\"><option value=\"\">all</option>",
    );
    for o in &owners {
        let _ = write!(html, "<option>{}</option>", esc(o));
    }
    html.push_str(
        "</select></label><label>Level <select id=\"level\"><option value=\"\">all</option>",
    );
    for l in ["platinum", "gold", "silver", "bronze", "none"] {
        let _ = write!(html, "<option>{l}</option>");
    }
    let _ = writeln!(
        html,
        "</select></label>showing <span id=\"shown\">{}</span> of {} services</div>",
        rows.len(),
        rows.len()
    );
    html.push_str("<table id=\"scorecard\">\n<thead><tr><th>Service</th><th>Owner</th><th>Template</th><th>Overall</th>");
    for (_, title) in &categories {
        let _ = write!(html, "<th>{}</th>", esc(title));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        let overall = row.report.as_ref().map_or("none", |r| level_name(r.level));
        let owner = row.owner.as_deref().unwrap_or("");
        let _ = write!(
            html,
            "<tr data-owner=\"{}\" data-level=\"{overall}\"><td>{}</td><td>{}</td><td>{}</td>",
            esc(owner),
            esc(&row.service),
            esc(owner),
            esc(row.template_version.as_deref().unwrap_or("-"))
        );
        match &row.report {
            Some(report) => {
                let _ = write!(
                    html,
                    "<td data-sort=\"{overall}\"><a class=\"shield {overall}\" href=\"#{}\">{overall}</a></td>",
                    anchor(&row.service, "all")
                );
                for (id, _) in &categories {
                    let level = report
                        .categories
                        .iter()
                        .find(|c| &c.id == id)
                        .map_or("none", |c| level_name(c.level));
                    let _ = write!(
                        html,
                        "<td data-sort=\"{level}\"><a class=\"shield {level}\" href=\"#{}\">{level}</a></td>",
                        anchor(&row.service, id)
                    );
                }
            }
            None => {
                let _ = write!(
                    html,
                    "<td data-sort=\"none\" colspan=\"{}\" class=\"err\">not graded: {}</td>",
                    categories.len() + 1,
                    esc(row.error.as_deref().unwrap_or("unknown error"))
                );
            }
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n<h2>Failing checks</h2>\n");
    for row in rows {
        let Some(report) = &row.report else { continue };
        let _ = writeln!(
            html,
            "<section id=\"{}\"><h3>{} <small>({})</small></h3>",
            anchor(&row.service, "all"),
            esc(&row.service),
            esc(&row.repo)
        );
        for (id, title) in &categories {
            let failing: Vec<_> = report
                .checks
                .iter()
                .filter(|c| &c.category == id && c.status == Status::Fail)
                .collect();
            let _ = write!(
                html,
                "<div id=\"{}\"><strong>{}</strong>",
                anchor(&row.service, id),
                esc(title)
            );
            if failing.is_empty() {
                html.push_str(": all checks pass</div>\n");
                continue;
            }
            html.push_str("<ul>");
            for c in failing {
                let _ = write!(
                    html,
                    "<li><code>{}</code> ({}) {}: {} <em>Fix: {}</em></li>",
                    esc(&c.id),
                    c.level.name(),
                    esc(&c.title),
                    esc(&c.summary),
                    esc(&c.fix)
                );
            }
            html.push_str("</ul></div>\n");
        }
        html.push_str("</section>\n");
    }
    let _ = write!(html, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    html
}
