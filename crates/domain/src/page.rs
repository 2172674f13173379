//! Pagination: every list is paged. A page request is clamped to sane bounds at the boundary.

use serde::Serialize;

pub const DEFAULT_PAGE_SIZE: u32 = 20;
pub const MAX_PAGE_SIZE: u32 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based page number.
    pub number: u32,
    pub size: u32,
}

impl PageRequest {
    pub fn new(number: Option<u32>, size: Option<u32>) -> Self {
        PageRequest {
            number: number.unwrap_or(1).max(1),
            size: size.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE),
        }
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.number - 1) * i64::from(self.size)
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.size)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest::new(None, None)
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, req: PageRequest, total: u64) -> Self {
        Page {
            items,
            page: req.number,
            per_page: req.size,
            total,
        }
    }

    pub fn total_pages(&self) -> u32 {
        let per = u64::from(self.per_page.max(1));
        u32::try_from(self.total.div_ceil(per))
            .unwrap_or(u32::MAX)
            .max(1)
    }

    pub fn has_prev(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.total_pages()
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            page: self.page,
            per_page: self.per_page,
            total: self.total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_requests_are_clamped() {
        let p = PageRequest::new(Some(0), Some(100_000));
        assert_eq!((p.number, p.size), (1, MAX_PAGE_SIZE));
        assert_eq!(PageRequest::new(Some(3), Some(10)).offset(), 20);
    }

    #[test]
    fn page_arithmetic() {
        let p = Page::new(vec![1, 2], PageRequest::new(Some(2), Some(2)), 5);
        assert_eq!(p.total_pages(), 3);
        assert!(p.has_prev() && p.has_next());
        let empty: Page<i32> = Page::new(vec![], PageRequest::default(), 0);
        assert_eq!(empty.total_pages(), 1);
        assert!(!empty.has_next());
    }
}
