/* dashboard.c -- placeholder */
#include "manager/manager.h"
const char mm_manager_dashboard_html[] = "<!doctype html><title>manager</title>";
const size_t mm_manager_dashboard_html_len = sizeof mm_manager_dashboard_html - 1;
